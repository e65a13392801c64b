import { generateKeyPairSync } from 'node:crypto';

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
