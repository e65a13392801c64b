import { createHash, randomBytes, randomFillSync } from 'node:crypto';

// RFC 4648 base32 in lower case: URL-safe, DNS-label-safe and case-insensitive, so one token id
// works in a URL path, a hostname (resolvers may randomise letter case) and a file name.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Length of a token id: 26 base32 characters carry 130 random bits. */
export const TOKEN_ID_LENGTH = 26;

const TOKEN_ID_PATTERN = /^[a-z2-7]{26}$/;

/** Encodes bytes 5 bits a character in the given 32-character alphabet, up to `chars` characters. */
function base32(bytes: Uint8Array, chars: number, alphabet = BASE32): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (out.length < chars && bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

/** A fresh token id: at least 128 random bits. */
export function newTokenId(): string {
  return base32(randomBytes(17), TOKEN_ID_LENGTH);
}

/** True when the text has the shape of a token id (it may still be unknown). */
export function isTokenIdShape(text: string): boolean {
  return TOKEN_ID_PATTERN.test(text);
}

// Row ids sort by creation time: 48 bits of milliseconds then 80 random bits, Crockford base32.
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const RANDOM_BYTES = 10;
const RANDOM_CHARS = 16; // 80 bits, 5 a character
// One call for many ids' worth of randomness: randomBytes() costs microseconds a call.
const randomPool = Buffer.alloc(RANDOM_BYTES * 256);
let poolOffset = randomPool.length;
let lastMillis = 0;
const lastRandom = Buffer.alloc(RANDOM_BYTES);

function freshRandom(): void {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  // A loop, not Buffer#copy: for ten bytes the copy's argument checks cost more than the copying.
  for (let i = 0; i < RANDOM_BYTES; i++) lastRandom[i] = randomPool[poolOffset + i]!;
  poolOffset += RANDOM_BYTES;
}

function encodeTime(millis: number): string {
  let time = '';
  let t = millis;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** Character codes of the Crockford alphabet, and the 26 codes of the id being made. */
const CROCKFORD_CODES = Uint8Array.from(CROCKFORD, (char) => char.charCodeAt(0));
const idCodes = Buffer.alloc(10 + RANDOM_CHARS);

/**
 * One half of the random part (40 bits, 8 characters) in the alphabet, as base32() would spell
 * it, written into idCodes after the time: 40 bits are exact in a double. Spelling the id
 * character by character made a string per character, about 430 bytes of garbage a hit.
 */
function randomHalf(half: number): void {
  const at = half * 5;
  let bits = lastRandom[at]! * 2 ** 32 + lastRandom[at + 1]! * 2 ** 24 + lastRandom[at + 2]! * 2 ** 16 + lastRandom[at + 3]! * 2 ** 8 + lastRandom[at + 4]!;
  for (let i = 7; i >= 0; i--) {
    idCodes[10 + half * 8 + i] = CROCKFORD_CODES[bits % 32]!;
    bits = Math.floor(bits / 32);
  }
}

/** A time-ordered unique id for rows (hits, alerts, deliveries); later ids sort after earlier. */
export function newRowId(now = Date.now()): string {
  if (now <= lastMillis) {
    // Same millisecond: increment the random part so ids stay strictly increasing. Only the
    // half the carry reached is spelled again: nearly always the last eight characters alone.
    let lowest = lastRandom.length;
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      lowest = i;
      lastRandom[i] = (lastRandom[i]! + 1) & 0xff;
      if (lastRandom[i] !== 0) break;
    }
    if (lowest < 5) randomHalf(0);
    randomHalf(1);
  } else {
    lastMillis = now;
    const time = encodeTime(now);
    for (let i = 0; i < 10; i++) idCodes[i] = time.charCodeAt(i);
    freshRandom();
    randomHalf(0);
    randomHalf(1);
  }
  return idCodes.toString('latin1');
}

/**
 * A row id that is the same every time for the same `key`: time first (so it sorts with
 * newRowId()s of that moment), then 80 bits of the key's SHA-256. An event read twice (a replay
 * after a crash, a reconnect) gets the same id, so the server stores it once.
 */
export function stableRowId(millis: number, key: string): string {
  return encodeTime(millis) + base32(createHash('sha256').update(key).digest().subarray(0, RANDOM_BYTES), RANDOM_CHARS, CROCKFORD);
}

/** A secret for API keys and signing: 256 random bits, URL-safe. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
