import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface RawAnswer {
  status: number;
  /** Header names and values as sent, in order. */
  rawHeaders: string[];
  body: Buffer;
}

/** One request on its own connection, the answer kept as sent (fetch would hide header order and case). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The answer with a Date header's value blanked (present or not is still compared): it moves with the clock. */
function comparable(answer: RawAnswer): { status: number; rawHeaders: string[]; body: string } {
  const rawHeaders = answer.rawHeaders.map((value, n) => (n % 2 === 1 && answer.rawHeaders[n - 1]!.toLowerCase() === 'date' ? '<date>' : value));
  return { status: answer.status, rawHeaders, body: answer.body.toString('base64') };
}

function mentionsTripline(answer: RawAnswer): boolean {
  return /tripline/i.test(`${answer.status} ${answer.rawHeaders.join('\n')}\n${answer.body.toString('latin1')}`);
}

describe('the trigger listener and the admin listener', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('are two different ports', () => {
    assert.notEqual(new URL(server.url).port, new URL(server.adminUrl).port);
  });

  it('answers the admin paths on the trigger listener with the same bytes as an unknown id, naming nothing', async () => {
    const unknown = await raw(server.url, 'GET', `/${newTokenId()}`);
    assert.equal(unknown.status, 200);
    const paths = ['/healthz', '/ui/', '/ui/index.html', '/ui', '/metrics', '/api/v1/tokens', '/api/v1/nothing', '/api/v1/agents/heartbeat', '/'];
    // With the admin key the request looks like an API caller's, which the trigger plane answers
    // as it answers any bearer token: compared with an unknown id sent the same header.
    const keyed: Record<string, string> = { authorization: `Bearer ${server.key}` };
    for (const headers of [{}, keyed]) {
      const baseline = await raw(server.url, 'GET', `/${newTokenId()}`, headers);
      assert.ok(!mentionsTripline(baseline), `the unknown-id answer names the product: ${baseline.rawHeaders.join(' ')}`);
      for (const path of paths) {
        const answer = await raw(server.url, 'GET', path, headers);
        assert.deepEqual(comparable(answer), comparable(baseline), `GET ${path} on the trigger listener${headers === keyed ? ' with the admin key' : ''}`);
        assert.ok(!mentionsTripline(answer), `GET ${path} names the product`);
      }
    }
    // A write the API would take (with a valid key) is one more trigger request there.
    const write = { ...keyed, 'content-type': 'application/json' };
    const created = await raw(server.url, 'POST', '/api/v1/tokens', write, '{"kind":"http","memo":"x"}');
    const posted = await raw(server.url, 'POST', `/${newTokenId()}`, write, '{"kind":"http","memo":"x"}');
    assert.deepEqual(comparable(created), comparable(posted));
    assert.ok(!mentionsTripline(created));
    assert.equal((await server.api('GET', '/tokens')).body.items.length, 0, 'no token was created through the trigger listener');
  });

  it('serves health, dashboard, metrics and the API on the admin listener', async () => {
    const health = await fetch(`${server.adminUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', store: 'sqlite' });
    for (const path of ['/ui/', '/ui/index.html']) {
      const page = await fetch(`${server.adminUrl}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.match(await page.text(), /<html|<!doctype html/i, path);
    }
    const metrics = await fetch(`${server.adminUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await metrics.text(), /tripline_http_request_duration_seconds/);
    const keyless = await fetch(`${server.adminUrl}/api/v1/tokens`);
    assert.equal(keyless.status, 401);
    assert.equal((await server.api('GET', '/tokens')).status, 200);
  });

  it('serves no trigger paths on the admin listener: unknown paths get the API 404 and record nothing', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'admin plane' });
    for (const path of ['/', `/${token.id}`, `/assets/${token.id}/logo.gif`]) {
      const answer = await fetch(`${server.adminUrl}${path}`);
      assert.equal(answer.status, 404, path);
      assert.equal(((await answer.json()) as { error: string }).error, 'not_found', path);
    }
    assert.equal((await server.api('GET', `/tokens/${token.id}`)).body.hitCount, 0);
    await server.api('DELETE', `/tokens/${token.id}`);
  });

  it('marks every API answer no-store, errors and 404s included', async () => {
    const answers = [
      await fetch(`${server.adminUrl}/api/v1/tokens`),
      await fetch(`${server.adminUrl}/api/v1/tokens`, { headers: { authorization: `Bearer ${server.key}` } }),
      await fetch(`${server.adminUrl}/api/v1/nothing-here`, { headers: { authorization: `Bearer ${server.key}` } }),
      await fetch(`${server.adminUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
        body: '{',
      }),
      await fetch(`${server.adminUrl}/api/v1/agents/heartbeat`, { method: 'POST' }),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [401, 200, 404, 400, 401],
    );
    for (const answer of answers) assert.equal(answer.headers.get('cache-control'), 'no-store', `${answer.url} ${answer.status}`);
  });
});

/** Opens a connection and asks one keep-alive request on it; resolves once an answer arrives. */
function servedConnection(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET /${newTokenId()} HTTP/1.1\r\nhost: x\r\n\r\n`));
    socket.once('data', (chunk: Buffer) =>
      chunk.toString('latin1').startsWith('HTTP/1.1 ') ? resolve(socket) : reject(new Error(`unexpected answer ${chunk}`)),
    );
    socket.once('error', reject);
  });
}

/** Opens a connection, sends a request and reports whether any answer came before the connection closed. */
function answeredBeforeClose(base: string): Promise<boolean> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    let answered = false;
    const socket = connect(Number(port), hostname, () => socket.write(`GET /${newTokenId()} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`));
    socket.on('data', () => (answered = true));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(answered));
  });
}

describe('the per-source connection cap on the trigger listener', () => {
  const CAP = 4;
  let server: TestServer;
  const open: Socket[] = [];
  before(async () => {
    server = await startTestServer({ maxConnectionsPerSource: CAP });
  });
  after(async () => {
    for (const socket of open) socket.destroy();
    await server.close();
  });

  it(`serves ${CAP} connections from one address, closes the next at once and counts it`, async () => {
    for (let n = 0; n < CAP; n++) open.push(await servedConnection(server.url));
    assert.equal(await answeredBeforeClose(server.url), false, 'the connection past the cap was closed unanswered');
    const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
    assert.match(metrics, /^tripline_trigger_connections_refused_total 1$/m);

    // The admin listener has no such cap.
    const admin: Socket[] = [];
    for (let n = 0; n <= CAP; n++) admin.push(await servedConnection(server.adminUrl));
    for (const socket of admin) socket.destroy();

    // A slot frees when one of the connections closes; the server sees the close a moment after
    // the client, so a new connection is tried a bounded number of times.
    open.shift()!.destroy();
    let served = false;
    for (let attempt = 0; attempt < 50 && !served; attempt++) {
      served = await answeredBeforeClose(server.url);
      if (!served) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(served, 'a connection is served again once the source holds fewer than the cap');
  });
});

describe('HTTP timeouts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  // Node's own default would hold a trickling client for a minute; the listeners cut it after the
  // explicit 10 s header timeout, well inside this test's 30 s limit.
  it('closes a connection whose headers never finish, on both listeners, with a 408 that names nothing', { timeout: 30_000 }, async () => {
    const trickle = (base: string) =>
      new Promise<string>((resolve) => {
        const { hostname, port } = new URL(base);
        let answer = '';
        const socket = connect(Number(port), hostname, () => socket.write(`GET /${newTokenId()} HTTP/1.1\r\nhost: x\r\n`));
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('error', () => undefined);
        socket.once('close', () => resolve(answer));
      });
    const [trigger, admin] = await Promise.all([trickle(server.url), trickle(server.adminUrl)]);
    assert.match(trigger, /^HTTP\/1\.1 408 /);
    assert.doesNotMatch(trigger, /tripline/i);
    assert.match(admin, /^HTTP\/1\.1 408 /);
  });
});
