/**
 * What a trigger listener answers before the trigger: ACME HTTP-01 answers for pending tokens
 * only, and the redirect to HTTPS for requests that cannot be token URLs; everything else reaches
 * the trigger untouched.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { acmeHttpChallenge, redirectToHttps, withFronts } from '../../src/server/tls/trigger-front.js';

describe('trigger fronts', () => {
  let server: Server;
  let base: string;
  const pending = new Map([['tok-123_abc', 'tok-123_abc.thumbprint']]);

  before(async () => {
    const trigger = (_request: unknown, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'image/gif' });
      response.end('trigger');
    };
    server = createServer(withFronts([acmeHttpChallenge(async (token) => pending.get(token)), redirectToHttps(() => 8443)], trigger));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** node:http rather than fetch, which does not send a Host header of the caller's choosing. */
  function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; location?: string; text: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${base}${path}`, { method, headers }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, text }));
      });
      request.once('error', reject);
      request.end();
    });
  }

  it('answers a pending HTTP-01 challenge with its key authorization, and only that', async () => {
    const answer = await get('/.well-known/acme-challenge/tok-123_abc');
    assert.equal(answer.status, 200);
    assert.equal(answer.text, 'tok-123_abc.thumbprint');
    // A challenge path with nothing pending is no token URL either, so it is redirected like one.
    const unknown = await get('/.well-known/acme-challenge/other', { host: 'canary.test' });
    assert.equal(unknown.status, 308);
    const post = await get('/.well-known/acme-challenge/tok-123_abc', { host: 'canary.test' }, 'POST');
    assert.equal(post.status, 308, 'only GET and HEAD are answered with the key authorization');
  });

  it('redirects requests that cannot be token URLs to HTTPS, keeping host, path and query', async () => {
    const answer = await get('/login?next=%2F', { host: 'canary.test:8080' });
    assert.equal(answer.status, 308);
    assert.equal(answer.location, 'https://canary.test:8443/login?next=%2F');
    assert.equal((await get('/', { host: 'bad host' })).status, 200, 'a host that is no host name is not echoed into a Location');
  });

  it('lets token-shaped paths and credential clients reach the trigger, whether or not the id exists', async () => {
    for (const path of [`/assets/${newTokenId()}/logo.gif`, `/${newTokenId()}.png?x=1`, '/repo.git/info/refs?service=git-upload-pack']) {
      const answer = await get(path, { host: 'canary.test' });
      assert.equal(answer.status, 200, path);
      assert.equal(answer.text, 'trigger');
    }
  });
});
