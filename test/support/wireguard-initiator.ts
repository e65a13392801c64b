import { createCipheriv, createPrivateKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { handshakeStart, hash, kdf1, kdf2, publicKeyObject } from '../../src/server/listeners/wireguard-noise.js';
import type { WireguardKeyPair } from '../../src/tokens/decoys/wireguard-keys.js';

function seal(key: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plain.length });
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/**
 * A handshake initiation (WireGuard paper 5.4.2) from `initiator` to the responder with public
 * key `responderPublic`, as a client sends it; mac1 and mac2 are left zero (the listener reads
 * the message without them). For tests that need many handshakes without a tunnel.
 */
export function handshakeInitiation(initiator: WireguardKeyPair, responderPublic: string, senderIndex = 1, at = new Date()): Buffer {
  const start = handshakeStart(Buffer.from(responderPublic, 'base64'));
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = Buffer.from(ephemeral.publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const responderKey = publicKeyObject(Buffer.from(responderPublic, 'base64'));
  let chain = kdf1(start.chainKey, ephemeralPublic);
  let h = hash(start.hash, ephemeralPublic);
  let key: Buffer;
  [chain, key] = kdf2(chain, diffieHellman({ privateKey: ephemeral.privateKey, publicKey: responderKey }));
  const sealedStatic = seal(key, Buffer.from(initiator.publicKey, 'base64'), h);
  h = hash(h, sealedStatic);
  const staticKey = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'X25519',
      d: Buffer.from(initiator.privateKey, 'base64').toString('base64url'),
      x: Buffer.from(initiator.publicKey, 'base64').toString('base64url'),
    },
    format: 'jwk',
  });
  [chain, key] = kdf2(chain, diffieHellman({ privateKey: staticKey, publicKey: responderKey }));
  const timestamp = Buffer.alloc(12);
  timestamp.writeBigUInt64BE((1n << 62n) + 10n + BigInt(Math.floor(at.getTime() / 1000)), 0);
  timestamp.writeUInt32BE((at.getTime() % 1000) * 1e6, 8);
  const sealedTimestamp = seal(key, timestamp, h);
  const head = Buffer.alloc(8);
  head[0] = 1;
  head.writeUInt32LE(senderIndex, 4);
  return Buffer.concat([head, ephemeralPublic, sealedStatic, sealedTimestamp, Buffer.alloc(32)]);
}
