/**
 * The responder's half of WireGuard's first handshake message (Noise_IKpsk2, the WireGuard
 * paper section 5.4.2), as far as reading the initiator's identity: the static public key and
 * the TAI64N timestamp. Built on node:crypto's X25519, ChaCha20-Poly1305 and BLAKE2s-256, with
 * HMAC and the KDF chain over BLAKE2s as the paper defines them. mac1/mac2 are not checked: the
 * listener never answers, and a forged message fails the AEAD anyway.
 */
import { createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import type { WireguardKeyPair } from '../../tokens/decoys/wireguard-keys.js';

const CONSTRUCTION = 'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s';
const IDENTIFIER = 'WireGuard v1 zx2c4 Jason@zx2c4.com';
export const INITIATION_TYPE = 1;
export const INITIATION_LENGTH = 148;
const KEY_LENGTH = 32;
const TAG_LENGTH = 16;
/** A TAI64 label is 2^62 plus TAI seconds; WireGuard adds TAI's 10 s lead over the Unix clock. */
const TAI64_UNIX_OFFSET = (1n << 62n) + 10n;

export function hash(...parts: Buffer[]): Buffer {
  const h = createHash('blake2s256');
  for (const part of parts) h.update(part);
  return h.digest();
}

function hmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac('blake2s256', key);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** KDF_n of the paper: T0 = HMAC(key, input), T_i = HMAC(T0, T_{i-1} || i). */
export function kdf2(key: Buffer, input: Buffer): [Buffer, Buffer] {
  const t0 = hmac(key, input);
  const t1 = hmac(t0, Buffer.from([1]));
  return [t1, hmac(t0, t1, Buffer.from([2]))];
}

export function kdf1(key: Buffer, input: Buffer): Buffer {
  return hmac(hmac(key, input), Buffer.from([1]));
}

/** AEAD with counter 0: the nonce is 32 zero bits then the 64-bit little-endian counter. */
function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad, { plaintextLength: sealed.length - TAG_LENGTH });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    return null;
  }
}

export function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** The responder's static key, ready for handshakes: the private KeyObject and the chain's starting hash. */
export interface Responder {
  privateKey: KeyObject;
  publicKey: Buffer;
  /** C and H after mixing in the construction, the identifier and the responder's public key. */
  chainKey: Buffer;
  hash: Buffer;
}

/** C and H after mixing in the construction, the identifier and the responder's public key: where both sides start. */
export function handshakeStart(responderPublic: Buffer): { chainKey: Buffer; hash: Buffer } {
  const chainKey = hash(Buffer.from(CONSTRUCTION));
  return { chainKey, hash: hash(hash(chainKey, Buffer.from(IDENTIFIER)), responderPublic) };
}

export function responderFor(pair: WireguardKeyPair): Responder {
  const publicKey = Buffer.from(pair.publicKey, 'base64');
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(pair.privateKey, 'base64').toString('base64url'), x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return { privateKey, publicKey, ...handshakeStart(publicKey) };
}

export interface Initiation {
  senderIndex: number;
  /** The initiator's static public key, base64 as in its config. */
  publicKey: string;
  /** The initiator's clock, from its TAI64N timestamp (Unix seconds and nanoseconds). */
  timestamp: { seconds: bigint; nanoseconds: number };
}

function dh(privateKey: KeyObject, publicRaw: Buffer): Buffer | null {
  try {
    return diffieHellman({ privateKey, publicKey: publicKeyObject(publicRaw) });
  } catch {
    // A low-order point: X25519 yields all zeros and OpenSSL refuses it.
    return null;
  }
}

/** Reads a handshake initiation sent to this responder; null for anything else (other types, junk, other responders). */
export function readInitiation(responder: Responder, message: Buffer): Initiation | null {
  if (message.length !== INITIATION_LENGTH || message[0] !== INITIATION_TYPE || message[1] !== 0 || message[2] !== 0 || message[3] !== 0) return null;
  const ephemeral = message.subarray(8, 40);
  const sealedStatic = message.subarray(40, 40 + KEY_LENGTH + TAG_LENGTH);
  const sealedTimestamp = message.subarray(88, 88 + 12 + TAG_LENGTH);
  let chain = kdf1(responder.chainKey, ephemeral);
  let h = hash(responder.hash, ephemeral);
  const ephemeralShared = dh(responder.privateKey, ephemeral);
  if (!ephemeralShared) return null;
  let key: Buffer;
  [chain, key] = kdf2(chain, ephemeralShared);
  const initiatorStatic = open(key, sealedStatic, h);
  if (!initiatorStatic) return null;
  h = hash(h, sealedStatic);
  const staticShared = dh(responder.privateKey, initiatorStatic);
  if (!staticShared) return null;
  [chain, key] = kdf2(chain, staticShared);
  const timestamp = open(key, sealedTimestamp, h);
  if (!timestamp) return null;
  return {
    senderIndex: message.readUInt32LE(4),
    publicKey: initiatorStatic.toString('base64'),
    timestamp: { seconds: timestamp.readBigUInt64BE(0) - TAI64_UNIX_OFFSET, nanoseconds: timestamp.readUInt32BE(8) },
  };
}
