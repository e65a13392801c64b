import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP, Socket } from 'node:net';
import dnsPacket, { type Answer, type RecordType } from 'dns-packet';

export interface DnsServerAddress {
  host: string;
  port: number;
}

export interface DnsReply {
  rcode: string;
  authoritative: boolean;
  truncated: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** Why a query got no reply: the words a fix can be built from. */
export type DnsFailure = 'timeout' | 'connection_refused' | 'unreachable' | 'bad_reply';

export class DnsQueryFailed extends Error {
  constructor(
    readonly failure: DnsFailure,
    readonly server: DnsServerAddress,
    readonly transport: 'udp' | 'tcp',
  ) {
    super(`${failure.replace('_', ' ')} from ${server.host}:${server.port}/${transport}`);
  }
}

export interface QueryOptions {
  transport?: 'udp' | 'tcp';
  /** Ask for recursion (for a resolver); an authoritative server ignores it. */
  recursion?: boolean;
  timeoutMs?: number;
}

function decodeReply(packet: Buffer): DnsReply & { id: number } {
  const decoded = dnsPacket.decode(packet) as dnsPacket.DecodedPacket & { rcode?: string };
  return {
    id: decoded.id ?? -1,
    rcode: decoded.rcode ?? 'NOERROR',
    authoritative: decoded.flag_aa,
    truncated: decoded.flag_tc,
    answers: decoded.answers ?? [],
    authorities: decoded.authorities ?? [],
    additionals: decoded.additionals ?? [],
  };
}

function failureOf(error: unknown): DnsFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  return 'timeout';
}

function udpQuery(server: DnsServerAddress, query: Buffer, id: number, timeoutMs: number): Promise<DnsReply> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const finish = (error: Error | null, reply?: DnsReply) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new DnsQueryFailed('timeout', server, 'udp')), timeoutMs);
    socket.on('message', (message) => {
      try {
        const reply = decodeReply(message);
        if (reply.id === id) finish(null, reply);
      } catch {
        finish(new DnsQueryFailed('bad_reply', server, 'udp'));
      }
    });
    // On loopback a closed UDP port comes back as ECONNREFUSED (ICMP port unreachable).
    socket.on('error', (error) => finish(new DnsQueryFailed(failureOf(error), server, 'udp')));
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

function tcpQuery(server: DnsServerAddress, query: Buffer, id: number, timeoutMs: number): Promise<DnsReply> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    const finish = (error: Error | null, reply?: DnsReply) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    socket.setTimeout(timeoutMs, () => finish(new DnsQueryFailed('timeout', server, 'tcp')));
    socket.on('error', (error) => finish(new DnsQueryFailed(failureOf(error), server, 'tcp')));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      try {
        const reply = decodeReply(received.subarray(2, 2 + received.readUInt16BE(0)));
        finish(reply.id === id ? null : new DnsQueryFailed('bad_reply', server, 'tcp'), reply);
      } catch {
        finish(new DnsQueryFailed('bad_reply', server, 'tcp'));
      }
    });
    socket.connect(server.port, server.host, () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
  });
}

/** One question to one server; throws DnsQueryFailed when no usable reply comes. */
export async function queryDns(server: DnsServerAddress, name: string, type: RecordType, options: QueryOptions = {}): Promise<DnsReply> {
  const id = randomInt(65536);
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: options.recursion ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name, type, class: 'IN' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  const timeoutMs = options.timeoutMs ?? 2000;
  if (options.transport === 'tcp') return tcpQuery(server, query, id, timeoutMs);
  let reply: DnsReply;
  try {
    reply = await udpQuery(server, query, id, timeoutMs);
  } catch (error) {
    // One lost datagram is normal: try once more before calling the server unreachable.
    if (!(error instanceof DnsQueryFailed) || error.failure !== 'timeout') throw error;
    reply = await udpQuery(server, query, id, timeoutMs);
  }
  // A truncated answer is retried over TCP, as every resolver does.
  return reply.truncated ? tcpQuery(server, query, id, timeoutMs) : reply;
}
