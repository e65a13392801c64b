import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

/** A Curve25519 key pair as WireGuard writes keys: 32 raw bytes each, in base64. */
export interface WireguardKeyPair {
  privateKey: string;
  publicKey: string;
}

export function wireguardKeyPair(): WireguardKeyPair {
  const jwk = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x) throw new Error('node:crypto returned an X25519 JWK without d or x');
  return { privateKey: Buffer.from(jwk.d, 'base64url').toString('base64'), publicKey: Buffer.from(jwk.x, 'base64url').toString('base64') };
}

/** PKCS#8 wrapping of a raw X25519 private key (RFC 8410): what node:crypto imports without the public half. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The public key (base64) of a WireGuard private key (base64), as `wg pubkey` prints it. */
export function wireguardPublicKeyOf(privateKey: string): string {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, 'base64')]), format: 'der', type: 'pkcs8' });
  return Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url').toString('base64');
}
