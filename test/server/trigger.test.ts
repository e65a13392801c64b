import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { candidateTokenIds, MAX_PATH_CANDIDATES } from '../../src/server/trigger/find-token-id.js';
import { newTokenId } from '../../src/core/ids.js';
import { hitsOf } from '../support/api.js';
import { rawHttpBytes } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with full control over method, path bytes and headers (fetch normalises too much). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('web-bug trigger', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.2'] });
  });
  after(() => server.close());

  it('records time, source, user agent, method, path, query and headers, and answers a no-store GIF', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'finance share' });
    assert.match(token.url, new RegExp(`^${server.url}/[a-z0-9/]+/${token.id}/[a-z.]+$`));
    const response = await raw(server.url, 'GET', `/assets/${token.id}/logo.gif?q=1`, { 'user-agent': 'evil/1.0', 'x-extra': 'yes' });
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.match(String(response.headers['cache-control']), /no-store/);
    assert.equal(response.body.subarray(0, 6).toString(), 'GIF89a');
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.source, '127.0.0.1');
    assert.equal(hit.userAgent, 'evil/1.0');
    assert.equal(hit.detail.method, 'GET');
    assert.equal(hit.detail.path, `/assets/${token.id}/logo.gif`);
    assert.equal(hit.detail.query, 'q=1');
    assert.equal(hit.detail.headers['x-extra'], 'yes');
    assert.ok(Date.now() - Date.parse(hit.at) < 60_000);
  });

  it('finds the id in any segment, in upper case, or before an extension, for every method', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'dressed' });
    const paths = [`/api/v2/${token.id}?q=1`, `/${token.id.toUpperCase()}`, `/x/${token.id}.png`, `/a/b/c/${token.id}/d/e`];
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'DELETE', 'PATCH']) {
      for (const path of paths) {
        const response = await raw(server.url, method, path);
        assert.equal(response.status, 200, `${method} ${path}`);
      }
    }
    const hits = await hitsOf(server, token.id);
    assert.equal(hits.length, 7 * paths.length);
    assert.deepEqual(new Set(hits.map((h) => h.detail.method)), new Set(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'DELETE', 'PATCH']));
  });

  it('keeps the size and first 4 KiB of a body, as text or base64', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'bodies' });
    await raw(server.url, 'POST', `/${token.id}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'user=admin&pass=hunter2');
    await raw(server.url, 'PUT', `/${token.id}`, { 'content-type': 'application/octet-stream' }, Buffer.alloc(10_000, 0xff));
    const hits = await hitsOf(server, token.id);
    const text = hits.find((h) => h.detail.method === 'POST');
    assert.deepEqual(text.detail.body, { size: 23, truncated: false, encoding: 'utf8', head: 'user=admin&pass=hunter2' });
    const binary = hits.find((h) => h.detail.method === 'PUT');
    assert.equal(binary.detail.body.size, 10_000);
    assert.equal(binary.detail.body.truncated, true);
    assert.equal(binary.detail.body.encoding, 'base64');
    assert.equal(Buffer.from(binary.detail.body.head, 'base64').length, 4096);
  });

  it('believes forwarding headers only from a trusted proxy', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'proxied' });
    // From an untrusted peer (127.0.0.1) the header is evidence, not the source.
    await raw(server.url, 'GET', `/${token.id}`, { 'x-forwarded-for': '203.0.113.9' });
    const proxied = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: proxied.hostname,
          port: proxied.port,
          path: `/${token.id}`,
          localAddress: '127.0.0.2',
          headers: { 'x-forwarded-for': '198.51.100.7, 127.0.0.2' },
        },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end();
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: proxied.hostname, port: proxied.port, path: `/${token.id}`, localAddress: '127.0.0.2', headers: { 'x-real-ip': '192.0.2.44' } },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end();
    });
    const sources = (await hitsOf(server, token.id)).map((h) => h.source).sort();
    assert.deepEqual(sources, ['127.0.0.1', '192.0.2.44', '198.51.100.7']);
  });

  it('gives unknown and disabled ids the very bytes a live token gets, and records nothing for them', async () => {
    const { body: live } = await server.api('POST', '/tokens', { kind: 'http', memo: 'live' });
    const { body: disabled } = await server.api('POST', '/tokens', { kind: 'http', memo: 'off' });
    await server.api('PATCH', `/tokens/${disabled.id}`, { enabled: false });
    const unknown = 'a'.repeat(26);
    const answers = [];
    for (const id of [live.id, disabled.id, unknown]) answers.push(await raw(server.url, 'GET', `/static/${id}/logo.gif`));
    const [a, b, c] = answers.map((r) => ({ status: r.status, headers: r.headers, body: r.body.toString('hex') }));
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    assert.equal(a!.headers.date, undefined, 'no Date header, so responses are identical to the byte');
    assert.equal((await hitsOf(server, live.id)).length, 1);
    assert.equal((await hitsOf(server, disabled.id)).length, 0);
    const { body: shown } = await server.api('GET', `/tokens/${disabled.id}`);
    assert.equal(shown.hitCount, 0);
  });

  it('redirects a live redirect token and records the hit', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'r', redirect: 'https://example.org/landing' });
    const response = await raw(server.url, 'GET', `/${token.id}`);
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, 'https://example.org/landing');
    assert.equal((await hitsOf(server, token.id)).length, 1);
  });

  it('answers for a disabled redirect token with the very bytes it answered while live, recording nothing', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'r', redirect: 'https://example.org/landing' });
    const whileLive = await rawHttpBytes(server.url, `/${token.id}`);
    await server.api('PATCH', `/tokens/${token.id}`, { enabled: false });
    const whileDisabled = await rawHttpBytes(server.url, `/${token.id}`);
    assert.match(whileLive.toString('latin1'), /^HTTP\/1\.1 302 [\s\S]*\r\nlocation: https:\/\/example\.org\/landing\r\n/i);
    assert.equal(whileDisabled.toString('latin1'), whileLive.toString('latin1'));
    assert.equal((await hitsOf(server, token.id)).length, 1, 'only the hit from while it was live');
  });

  it('makes unknown and disabled ids wait for a commit barrier, and live ones write a hit', async () => {
    const { body: live } = await server.api('POST', '/tokens', { kind: 'http', memo: 'live' });
    const { body: disabled } = await server.api('POST', '/tokens', { kind: 'http', memo: 'off' });
    await server.api('PATCH', `/tokens/${disabled.id}`, { enabled: false });
    const { commits } = server.server.services.hitWriter;
    const barriersFor = async (id: string) => {
      const before = commits.barriers;
      await raw(server.url, 'GET', `/${id}`);
      return commits.barriers - before;
    };
    assert.equal(await barriersFor(live.id), 0);
    assert.equal(await barriersFor(disabled.id), 1);
    assert.equal(await barriersFor(newTokenId()), 1);
    assert.equal(await barriersFor('no-id-here'), 1, 'a path with no id-shaped piece waits too');
  });

  it(`looks up at most ${MAX_PATH_CANDIDATES} id-shaped pieces of a path`, async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'many segments' });
    const junk = (n: number) => Array.from({ length: n }, () => newTokenId());
    const first = await raw(server.url, 'GET', `/${[token.id, ...junk(150)].join('/')}`);
    assert.equal(first.status, 200);
    assert.equal((await hitsOf(server, token.id)).length, 1, 'the id among the first pieces is found');
    const beyond = await raw(server.url, 'GET', `/${[...junk(MAX_PATH_CANDIDATES), token.id].join('/')}`);
    assert.equal(beyond.status, 200);
    assert.equal((await hitsOf(server, token.id)).length, 1, 'an id past the cap is not looked up');
  });

  it('answers path tricks and odd bytes without a server error', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'tricks' });
    const paths = [
      `/../../etc/passwd/${token.id}`,
      `/%2e%2e/%2e%2e/${token.id}`,
      `/${token.id}/%00%ff%fe`,
      `/%E0%A4%A/${token.id}`,
      `//${token.id}//`,
      `/${'x'.repeat(3000)}/${token.id}`,
    ];
    for (const path of paths) {
      const response = await raw(server.url, 'GET', path);
      assert.ok(response.status < 500, `${path} -> ${response.status}`);
    }
  });

  it('refuses oversized headers with a 4xx', async () => {
    const response = await raw(server.url, 'GET', '/x', { 'x-big': 'a'.repeat(20_000) });
    assert.equal(response.status, 431);
  });
});

describe('token id candidates', () => {
  it(`keeps the first ${MAX_PATH_CANDIDATES} id-shaped pieces of a path, however many it has`, () => {
    const ids = Array.from({ length: 151 }, () => newTokenId());
    assert.deepEqual(candidateTokenIds(`/${ids.join('/')}`), ids.slice(0, MAX_PATH_CANDIDATES));
    assert.deepEqual(
      candidateTokenIds(
        `/${ids
          .slice(0, 3)
          .map((id) => `${id.toUpperCase()}.gif`)
          .join('/')}`,
      ),
      ids.slice(0, 3),
    );
    assert.deepEqual(candidateTokenIds(`/${ids[0]}/${ids[0]}/x/${ids[1]}`), ids.slice(0, 2), 'a repeated id counts once');
  });
});
