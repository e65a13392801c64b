import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { awsKeyPair, hexSecretFor, idFromHexSecret, serviceAccountJwt } from '../../src/tokens/decoy-secret.js';

describe('decoy secrets', () => {
  it('hide a token id in a 40-hex-digit access token and give it back', () => {
    for (let i = 0; i < 200; i++) {
      const id = newTokenId();
      const secret = hexSecretFor(id);
      assert.match(secret, /^[0-9a-f]{40}$/);
      assert.equal(idFromHexSecret(secret), id);
      assert.equal(idFromHexSecret(secret.toUpperCase()), id, 'hex is read in either case');
    }
  });

  it('give two secrets for the same id that differ in their random tail', () => {
    const id = newTokenId();
    const seen = new Set(Array.from({ length: 20 }, () => hexSecretFor(id)));
    assert.ok(seen.size > 1);
  });

  it('read nothing from text of another shape', () => {
    assert.equal(idFromHexSecret('ghp_0123456789abcdef0123456789abcdef0123'), undefined);
    assert.equal(idFromHexSecret('0123456789abcdef'), undefined);
    // 33 hex digits hold 132 bits; an id has 130, so values with the top bits set are no id.
    assert.equal(idFromHexSecret('f'.repeat(40)), undefined);
  });

  it('make AWS keys of the IAM user shape', () => {
    const { accessKeyId, secretAccessKey } = awsKeyPair();
    assert.match(accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.match(secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
  });

  it('make a service-account token that decodes as a Kubernetes JWT', () => {
    const jwt = serviceAccountJwt('ci', 'deployer');
    const [header, claims, signature] = jwt.split('.');
    assert.equal(JSON.parse(Buffer.from(header!, 'base64url').toString()).alg, 'RS256');
    const payload = JSON.parse(Buffer.from(claims!, 'base64url').toString());
    assert.equal(payload.sub, 'system:serviceaccount:ci:deployer');
    assert.equal(payload.iss, 'kubernetes/serviceaccount');
    assert.equal(Buffer.from(signature!, 'base64url').length, 256);
  });
});
