import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { listenerUrl, parseListenAddress } from '../../src/server/listen-address.js';

describe('HOST:PORT for --listen and --admin-listen', () => {
  it('reads IPv4, host names and bracketed IPv6', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:8080', '--listen'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListenAddress('0.0.0.0:0', '--listen'), { host: '0.0.0.0', port: 0 });
    assert.deepEqual(parseListenAddress('localhost:8081', '--admin-listen'), { host: 'localhost', port: 8081 });
    assert.deepEqual(parseListenAddress('[::1]:8080', '--listen'), { host: '::1', port: 8080 });
    assert.deepEqual(parseListenAddress('[::]:443', '--listen'), { host: '::', port: 443 });
  });

  it('refuses malformed values with a ConfigError that names the flag and the value', () => {
    for (const value of [
      '127.0.0.1',
      ':8080',
      '8080',
      '::1:8080',
      '[::1]',
      '[::1]8080',
      '[127.0.0.1]:80',
      'host:99999',
      'host:-1',
      'host:80x',
      'a b:80',
      '[zz::1]:80',
      '',
    ]) {
      assert.throws(
        () => parseListenAddress(value, '--admin-listen'),
        (error: unknown) => error instanceof ConfigError && error.message.startsWith('--admin-listen:') && error.message.includes(`"`),
        JSON.stringify(value),
      );
    }
  });

  it('gives the URL a client reaches a listener at', () => {
    assert.equal(listenerUrl('127.0.0.1', 8080), 'http://127.0.0.1:8080');
    assert.equal(listenerUrl('0.0.0.0', 8080), 'http://127.0.0.1:8080');
    assert.equal(listenerUrl('::', 8080), 'http://[::1]:8080');
    assert.equal(listenerUrl('::1', 8081), 'http://[::1]:8081');
  });
});
