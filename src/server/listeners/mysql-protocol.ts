/**
 * The few MySQL wire messages the listener speaks (the client/server protocol's connection
 * phase): the server's Handshake V10, the client's HandshakeResponse41, and the ERR packet.
 * Parsing is defensive: every length is checked against what arrived, and junk yields null.
 */
import { randomBytes } from 'node:crypto';

/** What the listener says it is: the version a stock Ubuntu MySQL 8.0 announces. */
export const MYSQL_SERVER_VERSION = '8.0.36-0ubuntu0.22.04.1';
export const AUTH_PLUGIN = 'mysql_native_password';

/** Capability flags (include/mysql_com.h), named where they tell something about the client. */
export const CAPABILITIES: Record<string, number> = {
  LONG_PASSWORD: 1,
  FOUND_ROWS: 2,
  LONG_FLAG: 4,
  CONNECT_WITH_DB: 8,
  NO_SCHEMA: 0x10,
  COMPRESS: 0x20,
  ODBC: 0x40,
  LOCAL_FILES: 0x80,
  IGNORE_SPACE: 0x100,
  PROTOCOL_41: 0x200,
  INTERACTIVE: 0x400,
  SSL: 0x800,
  IGNORE_SIGPIPE: 0x1000,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_STATEMENTS: 0x10000,
  MULTI_RESULTS: 0x20000,
  PS_MULTI_RESULTS: 0x40000,
  PLUGIN_AUTH: 0x80000,
  CONNECT_ATTRS: 0x100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
  CAN_HANDLE_EXPIRED_PASSWORDS: 0x400000,
  SESSION_TRACK: 0x800000,
  DEPRECATE_EOF: 0x1000000,
};

/** Everything a MySQL 8.0 server offers except compression and TLS, which the listener never needs. */
const SERVER_CAPABILITIES = 0x01ff_f7ff & ~CAPABILITIES.COMPRESS! & ~CAPABILITIES.SSL!;
/** Longest client packet read; a handshake response is a few hundred bytes. */
export const MAX_PACKET = 16 * 1024;
const MAX_ATTRIBUTES = 64;
const MAX_TEXT = 256;

/** One protocol packet: 3-byte little-endian length, sequence id, payload. */
export function packet(sequence: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence & 0xff;
  return Buffer.concat([header, payload]);
}

export function handshakeV10(connectionId: number): Buffer {
  // The scramble is sent NUL-terminated, so it holds no zero byte.
  const scramble = Buffer.from(randomBytes(20).map((b) => (b === 0 ? 1 : b)));
  const fixed = Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10);
  let at = 0;
  at = fixed.writeUInt32LE(connectionId >>> 0, at);
  scramble.copy(fixed, at, 0, 8);
  at += 9;
  at = fixed.writeUInt16LE(SERVER_CAPABILITIES & 0xffff, at);
  fixed[at++] = 255; // utf8mb4_0900_ai_ci
  at = fixed.writeUInt16LE(0x0002, at); // autocommit
  at = fixed.writeUInt16LE(SERVER_CAPABILITIES >>> 16, at);
  fixed[at] = 21;
  return packet(
    0,
    Buffer.concat([
      Buffer.from([10]),
      Buffer.from(`${MYSQL_SERVER_VERSION}\0`),
      fixed,
      scramble.subarray(8),
      Buffer.from([0]),
      Buffer.from(`${AUTH_PLUGIN}\0`),
    ]),
  );
}

/** ER_ACCESS_DENIED_ERROR, worded as the server words it. */
export function accessDenied(sequence: number, user: string, host: string): Buffer {
  const message = `Access denied for user '${user}'@'${host}' (using password: YES)`;
  const head = Buffer.alloc(3);
  head[0] = 0xff;
  head.writeUInt16LE(1045, 1);
  return packet(sequence, Buffer.concat([head, Buffer.from('#28000'), Buffer.from(message)]));
}

export interface HandshakeResponse {
  capabilities: number;
  user: string;
  database: string | null;
  authPlugin: string | null;
  attributes: Record<string, string>;
  /** The client asked for TLS first (an SSLRequest): it will send nothing more in the clear. */
  sslRequest: boolean;
}

class Reader {
  at = 0;
  constructor(private readonly data: Buffer) {}

  left(): number {
    return this.data.length - this.at;
  }

  bytes(n: number): Buffer | null {
    if (n < 0 || n > this.left()) return null;
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  nulString(): string | null {
    const end = this.data.indexOf(0, this.at);
    if (end < 0) return null;
    const text = this.data.subarray(this.at, end).toString('utf8');
    this.at = end + 1;
    return text;
  }

  /** A length-encoded integer; null when cut short or larger than any packet could hold. */
  lenenc(): number | null {
    const first = this.bytes(1)?.[0];
    if (first === undefined) return null;
    if (first < 0xfb) return first;
    const width = first === 0xfc ? 2 : first === 0xfd ? 3 : first === 0xfe ? 8 : 0;
    if (width === 0) return null;
    const raw = this.bytes(width);
    if (!raw) return null;
    const value = width === 8 ? Number(raw.readBigUInt64LE()) : raw.readUIntLE(0, width);
    return value <= MAX_PACKET ? value : null;
  }

  lenencString(): string | null {
    const length = this.lenenc();
    if (length === null) return null;
    return this.bytes(length)?.toString('utf8') ?? null;
  }
}

function capped(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

function attributesFrom(reader: Reader): Record<string, string> {
  const attributes: Record<string, string> = {};
  const total = reader.lenenc();
  const block = total === null ? null : reader.bytes(total);
  if (!block) return attributes;
  const inner = new Reader(block);
  for (let n = 0; inner.left() > 0 && n < MAX_ATTRIBUTES; n++) {
    const key = inner.lenencString();
    const value = inner.lenencString();
    if (key === null || value === null) break;
    attributes[capped(key)] = capped(value);
  }
  return attributes;
}

/** Reads a HandshakeResponse41 payload; null when it is not one. */
export function parseHandshakeResponse(payload: Buffer): HandshakeResponse | null {
  const reader = new Reader(payload);
  const head = reader.bytes(32);
  if (!head) return null;
  const capabilities = head.readUInt32LE(0);
  if ((capabilities & CAPABILITIES.PROTOCOL_41!) === 0) return null;
  const empty = { capabilities, user: '', database: null, authPlugin: null, attributes: {} };
  if (payload.length === 32) return { ...empty, sslRequest: (capabilities & CAPABILITIES.SSL!) !== 0 };
  const user = reader.nulString();
  if (user === null) return null;
  let authLength: number | null;
  if (capabilities & CAPABILITIES.PLUGIN_AUTH_LENENC_CLIENT_DATA!) authLength = reader.lenenc();
  else if (capabilities & CAPABILITIES.SECURE_CONNECTION!) authLength = reader.bytes(1)?.[0] ?? null;
  else authLength = (reader.nulString() ?? '').length;
  if (authLength === null || reader.bytes(authLength) === null) return null;
  const database = capabilities & CAPABILITIES.CONNECT_WITH_DB! ? reader.nulString() : null;
  const authPlugin = capabilities & CAPABILITIES.PLUGIN_AUTH! ? reader.nulString() : null;
  const attributes = capabilities & CAPABILITIES.CONNECT_ATTRS! ? attributesFrom(reader) : {};
  return {
    capabilities,
    user: capped(user),
    database: database === null ? null : capped(database),
    authPlugin: authPlugin === null ? null : capped(authPlugin),
    attributes,
    sslRequest: false,
  };
}

export function capabilityNames(capabilities: number): string[] {
  return Object.entries(CAPABILITIES)
    .filter(([, bit]) => (capabilities & bit) !== 0)
    .map(([name]) => name);
}
