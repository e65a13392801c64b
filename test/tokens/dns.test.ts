import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/errors.js';
import { decodeDnsData, dnsNameWithData, dnsTokenKind } from '../../src/tokens/dns.js';
import { makeToken } from './support.js';

describe('dns token kind', () => {
  it('hands out <id>.<zone> and keeps the zone it was created under', () => {
    const { token, artifact } = makeToken(dnsTokenKind, { publicUrl: 'http://x', dnsZone: 'canary.example.test' });
    assert.equal(artifact.hostname, `${token.id}.canary.example.test`);
    assert.equal(dnsTokenKind.artifact(token, { publicUrl: 'http://x', dnsZone: 'moved.example.test' }).hostname, artifact.hostname);
  });

  it('cannot be created on a server that answers no zone', () => {
    assert.throws(
      () => makeToken(dnsTokenKind, { publicUrl: 'http://x' }),
      (error: unknown) => error instanceof ValidationError && /--dns-zone/.test(error.message),
    );
  });

  it('packs data into base32 labels of at most 63 characters and decodes it back', () => {
    const text = 'user=alice host=build-07 '.repeat(6);
    const name = dnsNameWithData('abc.canary.example.test', Buffer.from(text));
    const labels = name.split('.');
    assert.ok(labels.every((label) => label.length <= 63));
    const data = decodeDnsData(labels.slice(0, -4));
    assert.equal(data.text, text);
    assert.equal(Buffer.from(data.base64!, 'base64').toString(), text);
  });

  it('keeps binary data as base64 only, and labels that are not base32 as they came', () => {
    const binary = decodeDnsData([dnsNameWithData('x', Buffer.from([0, 1, 2, 255])).split('.')[0]!]);
    assert.equal(binary.text, null);
    assert.deepEqual(Buffer.from(binary.base64!, 'base64'), Buffer.from([0, 1, 2, 255]));
    assert.deepEqual(decodeDnsData(['www']), { labels: ['www'], text: null, base64: null });
  });
});
