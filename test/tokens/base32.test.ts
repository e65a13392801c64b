import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBase32, encodeBase32 } from '../../src/tokens/base32.js';

describe('base32', () => {
  it('encodes the RFC 4648 test vectors in lower case without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foob', 'mzxw6yq'],
      ['fooba', 'mzxw6ytb'],
      ['foobar', 'mzxw6ytboi'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(encodeBase32(Buffer.from(plain)), encoded);
      assert.equal(decodeBase32(encoded)?.toString(), plain);
    }
  });

  it('round-trips random bytes of every length up to 40', () => {
    for (let length = 0; length <= 40; length++) {
      const bytes = randomBytes(length);
      assert.deepEqual(decodeBase32(encodeBase32(bytes)), bytes);
    }
  });

  it('reads upper case, mixed case and padding', () => {
    assert.equal(decodeBase32('MZXW6YTBOI')?.toString(), 'foobar');
    assert.equal(decodeBase32('MzXw6YtBoI')?.toString(), 'foobar');
    assert.equal(decodeBase32('MZXW6YQ=')?.toString(), 'foob');
  });

  it('refuses characters outside the alphabet and impossible lengths', () => {
    assert.equal(decodeBase32('mzx1'), undefined);
    assert.equal(decodeBase32('www'), undefined);
    assert.equal(decodeBase32('a'), undefined);
    assert.equal(decodeBase32('mzxw6y'), undefined);
    assert.equal(decodeBase32('héllo'), undefined);
  });
});
