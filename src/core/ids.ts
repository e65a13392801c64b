import { randomBytes } from 'node:crypto';

// RFC 4648 base32 in lower case: URL-safe, DNS-label-safe and case-insensitive, so one token id
// works in a URL path, a hostname (resolvers may randomise letter case) and a file name.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Length of a token id: 26 base32 characters carry 130 random bits. */
export const TOKEN_ID_LENGTH = 26;

const TOKEN_ID_PATTERN = /^[a-z2-7]{26}$/;

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (out.length < chars && bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
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
let lastMillis = 0;
let lastRandom = randomBytes(10);

/** A time-ordered unique id for rows (hits, alerts, deliveries); later ids sort after earlier. */
export function newRowId(now = Date.now()): string {
  if (now <= lastMillis) {
    // Same millisecond: increment the random part so ids stay strictly increasing.
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      lastRandom[i] = (lastRandom[i]! + 1) & 0xff;
      if (lastRandom[i] !== 0) break;
    }
    now = lastMillis;
  } else {
    lastMillis = now;
    lastRandom = randomBytes(10);
  }
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of lastRandom) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      rand += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return time + rand;
}

/** A secret for API keys and signing: 256 random bits, URL-safe. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
