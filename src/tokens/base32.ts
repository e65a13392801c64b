// RFC 4648 base32 without padding, lower case, read case-insensitively: the alphabet token ids
// use, so data packed into DNS labels survives resolvers that randomise letter case (0x20).
export const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const ALPHABET = BASE32_ALPHABET;

/** Encodes bytes as unpadded lower-case base32. */
export function encodeBase32(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 5) {
    const group = bytes.subarray(i, i + 5);
    // Five bytes are forty bits: exactly eight characters; a short final group yields fewer.
    let bits = 0n;
    for (let j = 0; j < 5; j++) bits = (bits << 8n) | BigInt(group[j] ?? 0);
    const chars = Math.ceil((group.length * 8) / 5);
    for (let c = 0; c < chars; c++) out.push(ALPHABET[Number((bits >> BigInt(35 - c * 5)) & 31n)]!);
  }
  return out.join('');
}

/**
 * Decodes unpadded (or '='-padded) base32 in either case. Returns undefined when the text is not
 * base32: a character outside the alphabet or a length no byte string encodes to.
 */
export function decodeBase32(text: string): Buffer | undefined {
  const clean = text.replace(/=+$/, '').toLowerCase();
  // 1, 3 and 6 trailing characters cannot come from whole bytes.
  if ([1, 3, 6].includes(clean.length % 8)) return undefined;
  const out = Buffer.alloc(Math.floor((clean.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (const char of clean) {
    const value = ALPHABET.indexOf(char);
    if (value === -1) return undefined;
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}
