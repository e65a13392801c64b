import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandler } from '../../../src/server/api/errors.js';
import { DashboardBundle } from '../../../src/server/dashboard/bundle.js';
import { dashboardRoutes } from '../../../src/server/dashboard/routes.js';
import { startTestServer } from '../../support/server.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends the request target exactly as given (fetch would normalise `..` away before sending). */
function rawGet(base: string, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path: target, method, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const INDEX = '<!doctype html><title>dash</title><script type="module" src="/ui/assets/app-1a2b.js"></script>';
const SCRIPT = 'console.log("dashboard")';
const SECRET = 'secret-next-to-the-bundle';

describe('dashboard files under /ui/', () => {
  let root: string;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'tripline-dash-'));
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-1a2b.js'), SCRIPT);
    writeFileSync(join(dist, 'assets', 'app-1a2b.css'), 'body{}');
    writeFileSync(join(root, 'secret.txt'), SECRET);
    app = Fastify();
    registerErrorHandler(app);
    await app.register(dashboardRoutes, { bundle: DashboardBundle.load(dist) });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('serves the page with a policy that forbids inline script', async () => {
    const response = await rawGet(base, '/ui/');
    assert.equal(response.status, 200);
    assert.equal(response.body, INDEX);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']);
    for (const directive of ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      assert.ok(csp.split('; ').includes(directive), `CSP has ${directive}: ${csp}`);
    }
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.equal(response.headers['cache-control'], 'no-cache');
  });

  test('serves built assets with their content type, cached for good', async () => {
    const script = await rawGet(base, '/ui/assets/app-1a2b.js');
    assert.equal(script.status, 200);
    assert.equal(script.body, SCRIPT);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(script.headers['cache-control']), /immutable/);
    const style = await rawGet(base, '/ui/assets/app-1a2b.css');
    assert.equal(style.headers['content-type'], 'text/css; charset=utf-8');
    const again = await rawGet(base, '/ui/assets/app-1a2b.js', { 'if-none-match': String(script.headers.etag) });
    assert.equal(again.status, 304);
  });

  test('answers client-side routes with the page, and missing files with 404', async () => {
    for (const route of ['/ui/tokens', '/ui/tokens/abc', '/ui/agents?x=1']) {
      const response = await rawGet(base, route);
      assert.equal(response.status, 200, route);
      assert.equal(response.body, INDEX, route);
    }
    assert.equal((await rawGet(base, '/ui/assets/missing.js')).status, 404);
    assert.equal((await rawGet(base, '/ui/missing.png')).status, 404);
  });

  test('redirects /ui to /ui/', async () => {
    const response = await rawGet(base, '/ui');
    assert.equal(response.status, 308);
    assert.equal(response.headers.location, '/ui/');
  });

  test('never serves a file outside the bundle', async () => {
    for (const target of [
      '/ui/../secret.txt',
      '/ui/%2e%2e/secret.txt',
      '/ui/assets/..%2f..%2fsecret.txt',
      '/ui/..%5csecret.txt',
      '/ui/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui//etc/passwd',
      '/ui/%00',
      '/ui/%E0%A4%A',
    ]) {
      const response = await rawGet(base, target);
      assert.ok(!response.body.includes(SECRET), target);
      assert.ok(!response.body.includes('root:'), target);
      assert.ok([400, 404].includes(response.status) || response.body === INDEX, `${target}: ${response.status}`);
    }
  });

  test('refuses methods other than GET and HEAD', async () => {
    const response = await rawGet(base, '/ui/tokens', {}, 'POST');
    assert.equal(response.status, 405);
    assert.equal(response.headers.allow, 'GET, HEAD');
  });
});

test('without a built dashboard, /ui/ says how to build it', async () => {
  const app = Fastify();
  await app.register(dashboardRoutes, { bundle: undefined });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const response = await rawGet(base, '/ui/');
    assert.equal(response.status, 503);
    assert.match(response.body, /make web/);
  } finally {
    await app.close();
  }
});

test('/ui/ is the dashboard on the admin listener and an ordinary trigger path on the trigger listener', async () => {
  const server = await startTestServer();
  try {
    const created = await server.api('POST', '/tokens', { kind: 'http', memo: 'dashboard paths' });
    const id = created.body.id as string;
    const dashboardPath = await rawGet(server.adminUrl, `/ui/${id}/logo.gif`);
    assert.notEqual(dashboardPath.headers['content-type'], 'image/gif');
    const adminRoot = await rawGet(server.adminUrl, `/assets/${id}/logo.gif`);
    assert.equal(adminRoot.status, 404, 'the admin listener serves no trigger paths');
    assert.equal((await server.api('GET', `/tokens/${id}/hits`)).body.items.length, 0);
    const root = await rawGet(server.url, '/');
    assert.equal(root.status, 200);
    assert.equal(root.headers['content-type'], 'image/gif');
    const fired = await rawGet(server.url, `/ui/${id}/logo.gif`);
    assert.equal(fired.headers['content-type'], 'image/gif');
    const hits = await server.api('GET', `/tokens/${id}/hits`);
    assert.equal(hits.body.items.length, 1, 'only the trigger listener recorded a hit');
    assert.match(hits.body.items[0].detail.path, /^\/ui\//);
  } finally {
    await server.close();
  }
});
