import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourcePrefix } from '../../src/server/source-prefix.js';

describe('source prefix', () => {
  it('groups IPv4 addresses by /24 and IPv6 addresses by /56, whatever their spelling', () => {
    assert.equal(sourcePrefix('192.0.2.77'), '192.0.2.0/24');
    assert.equal(sourcePrefix('192.0.2.1'), sourcePrefix('192.0.2.254'));
    assert.notEqual(sourcePrefix('192.0.2.1'), sourcePrefix('192.0.3.1'));
    assert.equal(sourcePrefix('2001:db8:1:23ff::1'), '2001:db8:1:2300::/56');
    assert.equal(sourcePrefix('2001:db8:1:2300:ffff:ffff:ffff:ffff'), sourcePrefix('2001:0db8:0001:2301::'));
    assert.notEqual(sourcePrefix('2001:db8:1:2300::1'), sourcePrefix('2001:db8:1:2400::1'));
    assert.equal(sourcePrefix('2001:db8::192.0.2.1'), '2001:db8:0:0::/56');
    assert.equal(sourcePrefix('unknown'), 'unknown');
  });
});
