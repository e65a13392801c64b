import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CAPTURE_LIMITS } from '../../src/server/trigger/capture.js';
import { hitsOf } from '../support/api.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A POST whose body is written in 64 KiB chunks; resolves with the status once answered and ended. */
function postLarge(base: string, path: string, size: number, fill: (offset: number) => number): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path, headers: { 'content-length': String(size) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    const chunk = 64 * 1024;
    for (let offset = 0; offset < size; offset += chunk) {
      const part = Buffer.alloc(Math.min(chunk, size - offset));
      for (let i = 0; i < part.length; i++) part[i] = fill(offset + i);
      req.write(part);
    }
    req.end();
  });
}

/** Sends header bytes exactly as given (no client re-encoding) and returns the status line. */
function rawRequest(base: string, head: Buffer): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(head));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('end', () => resolve(answer.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

/**
 * Sends requests one after another on one connection, each once the previous answer is whole, and
 * returns the status of each: a body left unread or read twice would throw the next request off.
 */
function onOneConnection(base: string, requests: string[]): Promise<number[]> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const statuses: number[] = [];
    let pending = Buffer.alloc(0);
    const socket = connect(Number(url.port), url.hostname, () => socket.write(requests[0]!));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        statuses.push(Number(head.slice(9, 12)));
        pending = pending.subarray(end + 4 + length);
        if (statuses.length === requests.length) {
          socket.end();
          resolve(statuses);
          return;
        }
        socket.write(requests[statuses.length]!);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => (statuses.length < requests.length ? reject(new Error(`connection closed after ${statuses.length} answers`)) : undefined));
  });
}

describe('what a trigger keeps of odd requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('records a hit with the first 4 KiB of a body over the cap before answering 413', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'huge upload' });
    const size = 11 * 1024 * 1024;
    assert.ok(size > CAPTURE_LIMITS.bodyMax);
    const letter = (offset: number) => 97 + (offset % 26);
    assert.equal(await postLarge(server.url, `/${token.id}`, size, letter), 413);
    const [hit] = await hitsOf(server, token.id);
    assert.ok(hit, 'the hit was recorded');
    assert.equal(hit.detail.method, 'POST');
    assert.equal(hit.detail.body.truncated, true);
    assert.equal(hit.detail.body.encoding, 'utf8');
    assert.equal(hit.detail.body.head, Array.from({ length: 4096 }, (_, i) => String.fromCharCode(letter(i))).join(''));
    assert.ok(hit.detail.body.size > CAPTURE_LIMITS.bodyMax);

    // An unknown id gets the same status for the same upload, and nothing is recorded for it.
    assert.equal(await postLarge(server.url, '/aaaaaaaaaaaaaaaaaaaaaaaaaa', size, letter), 413);
  });

  it('decodes user agents and headers sent as raw UTF-8 bytes as UTF-8, and keeps other bytes as they came', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'utf-8' });
    const head = Buffer.concat([
      Buffer.from(`GET /${token.id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nUser-Agent: `),
      Buffer.from('café ☕ agent', 'utf8'),
      Buffer.from('\r\nX-Note: '),
      Buffer.from('naïve', 'utf8'),
      Buffer.from('\r\nX-Latin: '),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]), // "café" in Latin-1: not valid UTF-8
      Buffer.from('\r\n\r\n'),
    ]);
    assert.match(await rawRequest(server.url, head), /^HTTP\/1\.1 200/);
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.userAgent, 'café ☕ agent');
    assert.equal(hit.detail.headers['user-agent'], 'café ☕ agent');
    assert.equal(hit.detail.headers['x-note'], 'naïve');
    assert.equal(hit.detail.headers['x-latin'], 'café');
  });

  it('reads a body only when the request announces one, and keeps the connection in step either way', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'bodies' });
    const statuses = await onOneConnection(server.url, [
      // No Content-Length and no Transfer-Encoding: no body (RFC 9112, 6.3).
      `POST /${token.id}/none HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST /${token.id}/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`,
      `PUT /${token.id}/sized HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc`,
      `POST /${token.id}/empty HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      `GET /${token.id}/last HTTP/1.1\r\nHost: x\r\n\r\n`,
    ]);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const hits = await hitsOf(server, token.id);
    const byPath = new Map(hits.map((hit) => [hit.detail.path.split('/').pop(), hit.detail]));
    assert.deepEqual([...byPath.keys()].sort(), ['chunked', 'empty', 'last', 'none', 'sized']);
    assert.equal(byPath.get('none').body, undefined);
    assert.equal(byPath.get('empty').body, undefined);
    assert.equal(byPath.get('last').body, undefined);
    assert.deepEqual(byPath.get('chunked').body, { size: 11, truncated: false, encoding: 'utf8', head: 'hello world' });
    assert.deepEqual(byPath.get('sized').body, { size: 3, truncated: false, encoding: 'utf8', head: 'abc' });
  });
});
