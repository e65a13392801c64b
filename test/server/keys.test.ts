import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { newSecret } from '../../src/core/ids.js';
import { AuthThrottle, throttleSource } from '../../src/server/api/auth-throttle.js';
import { nestsDeeperThan } from '../../src/server/api/json-body.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { callApi, type ApiAnswer } from '../support/api.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { heartbeat } from './agents-support.js';

function call(
  adminUrl: string,
  key: string | null,
  method: string,
  path: string,
  init: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  return callApi(adminUrl, key, method, path, { raw: init.body, headers: init.headers });
}

const json = (value: unknown) => JSON.stringify(value);
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * Sends the headers and the first part of a body that claims `total` bytes, then waits: the
 * answer that comes back while most of the body is still unsent was given without reading it.
 */
function answerBeforeBody(url: string, path: string, total: number, headers: Record<string, string> = {}): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(`/api/v1${path}`, url);
    const first = Buffer.alloc(Math.min(64 * 1024, total / 2), '[');
    const req = httpRequest(
      target,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(total), ...headers } },
      (response) => {
        resolve({ status: response.statusCode!, connection: response.headers.connection });
        response.resume();
        req.destroy();
      },
    );
    req.on('error', (error) => {
      // The server may close the connection after answering; the answer already counts.
      if (!req.destroyed) reject(error);
    });
    req.write(first);
  });
}

describe('API keys: checked before any body is read', () => {
  let server: TestServer;
  let agentKey: string;
  before(async () => {
    server = await startTestServer();
    agentKey = (await server.api('POST', '/agents', { name: 'web-01' })).body.key;
  });
  after(() => server.close());

  it('answers a huge, a malformed and a deeply nested body without a key with 401, before parsing it', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const deep = nested(127 * 1024);
    for (const path of ['/tokens', '/channels', '/agents/events', '/agents/heartbeat']) {
      // Parsed, these would be 413 (over every cap), 400 (not JSON) and 400 (too deep).
      for (const body of [huge, '{"kind": ', deep]) {
        const answer = await call(server.adminUrl, null, 'POST', path, { body });
        assert.equal(answer.status, 401, `${path} without a key`);
      }
      assert.equal((await call(server.adminUrl, 'tpl_admin_not-a-key-at-all', 'POST', path, { body: deep })).status, 401, `${path} wrong key`);
    }
  });

  // Sizes under each route's cap, so nothing but the key check can answer before the body ends;
  // the timeout only turns a server that waits for the body into a failure instead of a hang.
  it('answers 401 while most of the body is still unsent', { timeout: 30_000 }, async () => {
    for (const [path, total] of [
      ['/tokens', 1000 * 1024],
      ['/agents/events', 3 * 1024 * 1024],
      ['/agents/heartbeat', 60 * 1024],
    ] as const) {
      const answer = await answerBeforeBody(server.adminUrl, path, total);
      assert.equal(answer.status, 401, path);
      assert.equal(answer.connection, 'close', 'the rest of the body is not taken in');
    }
  });

  it('caps bodies per route: API 1 MiB, agent events 4 MiB, heartbeat 64 KiB (413)', async () => {
    const padded = (bytes: number) => Buffer.concat([Buffer.from('{"pad": "'), Buffer.alloc(bytes, 'x'), Buffer.from('"}')]);
    const cases: [string, string, number, number][] = [
      [server.key, '/tokens', 1024 * 1024, 413],
      [server.key, '/tokens', 1000 * 1024, 400],
      [agentKey, '/agents/events', 4 * 1024 * 1024, 413],
      [agentKey, '/agents/events', 3 * 1024 * 1024, 400],
      [agentKey, '/agents/heartbeat', 64 * 1024, 413],
      [agentKey, '/agents/heartbeat', 60 * 1024, 400],
    ];
    for (const [key, path, bytes, status] of cases) {
      const answer = await call(server.adminUrl, key, 'POST', path, { body: padded(bytes) });
      assert.equal(answer.status, status, `${path} with ${bytes} bytes: ${json(answer.body).slice(0, 200)}`);
    }
  });

  it('refuses JSON nested deeper than 32 levels with 400, a 254 KiB bracket body included', async () => {
    const tooDeep = await call(server.adminUrl, server.key, 'POST', '/tokens', { body: nested(33) });
    assert.equal(tooDeep.status, 400);
    assert.match(tooDeep.body.message, /nests deeper than 32/);
    // 32 levels parse; the body is then refused for its shape, not its depth.
    const deepEnough = await call(server.adminUrl, server.key, 'POST', '/tokens', { body: nested(32) });
    assert.equal(deepEnough.status, 400);
    assert.doesNotMatch(deepEnough.body.message, /nests deeper/);
    const brackets = await call(server.adminUrl, server.key, 'POST', '/tokens', { body: '['.repeat(254 * 1024) });
    assert.equal(brackets.status, 400);
    assert.match(brackets.body.message, /nests deeper/);
    const events = await call(server.adminUrl, agentKey, 'POST', '/agents/events', { body: `{"events": ${nested(40)}}` });
    assert.equal(events.status, 400);
    assert.match(events.body.message, /nests deeper/);
  });

  it('counts nesting over bytes, ignoring brackets inside strings', () => {
    const text = (s: string) => Buffer.from(s);
    assert.equal(nestsDeeperThan(text(nested(3)), 3), false);
    assert.equal(nestsDeeperThan(text(nested(4)), 3), true);
    assert.equal(nestsDeeperThan(text(`["[[[[", "\\"[[[[", {"a": [1]}]`), 3), false);
    assert.equal(nestsDeeperThan(text(`[{"a": [{"b": 1}]}]`), 3), true);
  });
});

describe('API keys: roles and revocation', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('creates keys of each role, shows each once, and lists them without secrets', async () => {
    const created = await server.api('POST', '/keys', { name: 'auditor', role: 'viewer' });
    assert.equal(created.status, 201, json(created.body));
    assert.match(created.body.key, /^tpl_viewer_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.body.prefix, created.body.key.slice(0, 13));
    const listed = await server.api('GET', '/keys');
    const row = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    assert.deepEqual(
      { name: row.name, role: row.role, prefix: row.prefix, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt },
      { name: 'auditor', role: 'viewer', prefix: created.body.prefix, revokedAt: null, lastUsedAt: null },
    );
    assert.ok(!JSON.stringify(listed.body).includes(created.body.key), 'the key is never shown again');
    assert.ok(listed.body.items.some((k: { origin: string; role: string }) => k.origin === 'env' && k.role === 'admin'));
    for (const bad of [
      { name: 'x', role: 'root' },
      { name: '', role: 'admin' },
      { name: 'a\u0007', role: 'admin' },
      { role: 'admin' },
      { name: 'x', role: 'admin', extra: 1 },
    ]) {
      assert.equal((await server.api('POST', '/keys', bad)).status, 400, json(bad));
    }
  });

  it('lets a viewer key read everything a GET shows and change nothing (403)', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'viewer can see me' });
    const { body: channel } = await server.api('POST', '/channels', { kind: 'webhook', name: 'hook', url: 'https://example.com/hook' });
    const { body: agent } = await server.api('POST', '/agents', { name: 'db-01' });
    const viewer = (await server.api('POST', '/keys', { name: 'read only', role: 'viewer' })).body.key;
    const before = await server.api('GET', `/tokens/${token.id}`);

    for (const path of [
      '/tokens',
      `/tokens/${token.id}`,
      `/tokens/${token.id}/hits`,
      `/tokens/${token.id}/histogram`,
      '/alerts',
      '/deliveries',
      '/channels',
      `/channels/${channel.id}`,
      '/agents',
      `/agents/${agent.id}`,
      '/token-kinds',
    ]) {
      const answer = await call(server.adminUrl, viewer, 'GET', path);
      assert.equal(answer.status, 200, `GET ${path}: ${json(answer.body)}`);
    }
    assert.equal(
      (await call(server.adminUrl, viewer, 'GET', '/tokens')).body.items.some((t: { id: string }) => t.id === token.id),
      true,
    );

    const changes: [string, string, unknown][] = [
      ['POST', '/tokens', { kind: 'http', memo: 'sneaky' }],
      ['PATCH', `/tokens/${token.id}`, { memo: 'renamed', enabled: false }],
      ['DELETE', `/tokens/${token.id}`, undefined],
      ['POST', '/channels', { kind: 'webhook', url: 'https://example.com/other' }],
      ['DELETE', `/channels/${channel.id}`, undefined],
      ['POST', `/channels/${channel.id}/test`, {}],
      ['POST', '/agents', { name: 'sneaky' }],
      ['DELETE', `/agents/${agent.id}`, undefined],
      ['POST', '/keys', { name: 'escalate', role: 'admin' }],
      ['DELETE', `/keys/${agent.id}`, undefined],
      ['GET', '/keys', undefined],
    ];
    for (const [method, path, body] of changes) {
      const answer = await call(server.adminUrl, viewer, method, path, body === undefined ? {} : { body: json(body) });
      assert.equal(answer.status, 403, `${method} ${path}: ${json(answer.body)}`);
      assert.match(answer.body.message, /viewer key cannot do this; it needs an admin key/);
    }
    assert.deepEqual((await server.api('GET', `/tokens/${token.id}`)).body, before.body, 'the token is unchanged');
    assert.equal((await server.api('GET', `/channels/${channel.id}`)).status, 200);
    assert.equal((await server.api('GET', `/agents/${agent.id}`)).status, 200);
    const names = (await server.api('GET', '/keys')).body.items.map((k: { name: string }) => k.name);
    assert.ok(!names.includes('escalate'));
    const tokens = (await server.api('GET', '/tokens')).body.items.map((t: { memo: string }) => t.memo);
    assert.ok(!tokens.includes('sneaky'));

    // A viewer key reports nothing as an agent, and an agent key reads nothing on the API.
    assert.equal((await call(server.adminUrl, viewer, 'POST', '/agents/heartbeat', { body: json(heartbeat()) })).status, 403);
    assert.equal((await call(server.adminUrl, agent.key, 'GET', '/tokens')).status, 403);
  });

  it('refuses a revoked key with 401, whichever way it was revoked', async () => {
    for (const how of ['DELETE', 'POST'] as const) {
      const { body: created } = await server.api('POST', '/keys', { name: `to revoke by ${how}`, role: 'admin' });
      assert.equal((await call(server.adminUrl, created.key, 'GET', '/tokens')).status, 200);
      const revoked = how === 'DELETE' ? await server.api('DELETE', `/keys/${created.id}`) : await server.api('POST', `/keys/${created.id}/revoke`);
      assert.equal(revoked.status, how === 'DELETE' ? 204 : 200);
      const refused = await call(server.adminUrl, created.key, 'GET', '/tokens');
      assert.equal(refused.status, 401);
      assert.match(refused.body.message, /revoked/);
      const listed = (await server.api('GET', '/keys')).body.items.find((k: { id: string }) => k.id === created.id);
      assert.ok(listed.revokedAt, 'a revoked key stays listed, with when');
    }
    assert.equal((await server.api('DELETE', `/keys/${'0'.repeat(26)}`)).status, 404);
    assert.equal((await server.api('DELETE', '/keys/not-an-id')).status, 404);
  });

  it('keeps last-used times in memory and writes them in a batch, not per request', async () => {
    const { body: created } = await server.api('POST', '/keys', { name: 'busy', role: 'viewer' });
    for (let i = 0; i < 20; i++) assert.equal((await call(server.adminUrl, created.key, 'GET', '/tokens')).status, 200);
    const stored = () => server.server.services.keys.find(created.id);
    assert.equal((await stored())?.lastUsedAt, null, 'nothing written yet');
    await server.server.services.auth.usage.flush();
    const lastUsed = (await stored())?.lastUsedAt;
    assert.ok(lastUsed && Date.parse(lastUsed) >= Date.parse(created.createdAt));
  });
});

describe('TRIPLINE_ADMIN_KEY', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-keys-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused when shorter than 32 characters', async () => {
    await assert.rejects(
      startTestServer({ db: join(dir, 'short.db'), adminKey: 'tpl_admin_too_short' }),
      /TRIPLINE_ADMIN_KEY is 19 characters long; it must be at least 32/,
    );
  });

  it('stops working once it is replaced by a new value', async () => {
    const db = join(dir, 'rotate.db');
    const oldKey = newSecret('tpl_test');
    const newKey = newSecret('tpl_test');
    assert.ok(oldKey.length >= 32);
    const first = await startTestServer({ db, adminKey: oldKey });
    assert.equal((await call(first.adminUrl, oldKey, 'GET', '/tokens')).status, 200);
    await first.close();

    const second = await startTestServer({ db, adminKey: newKey });
    try {
      assert.equal((await call(second.adminUrl, newKey, 'GET', '/tokens')).status, 200);
      const refused = await call(second.adminUrl, oldKey, 'GET', '/tokens');
      assert.equal(refused.status, 401);
      assert.match(refused.body.message, /revoked/);
      const { items } = (await call(second.adminUrl, newKey, 'GET', '/keys')).body as {
        items: { origin: string; revokedAt: string | null; lastUsedAt: string | null }[];
      };
      const envKeys = items.filter((k) => k.origin === 'env');
      assert.equal(envKeys.length, 2);
      assert.equal(envKeys.filter((k) => k.revokedAt === null).length, 1, 'only the new value is in force');
      // The first server wrote the old key's last use when it shut down, within the minute.
      assert.ok(envKeys.find((k) => k.revokedAt !== null)?.lastUsedAt, 'last use stored at shutdown');
    } finally {
      await second.close();
    }
    // The old value does not come back by a restart with it.
    await assert.rejects(startTestServer({ db, adminKey: oldKey }), /revoked/);
  });
});

describe('failed key checks', () => {
  let server: RunningServer;
  let key: string;
  const lines: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tripline-throttle-'));
  before(async () => {
    key = newSecret('tpl_test');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    // Loopback is a trusted proxy here, so X-Forwarded-For stands in for distinct sources.
    server = await startServer(
      {
        listen: { host: '127.0.0.1', port: 0 },
        adminListen: { host: '127.0.0.1', port: 0 },
        db: join(dir, 'tripline.db'),
        trustProxy: ['127.0.0.1'],
        adminKey: key,
        logLevel: 'info',
      },
      pino({ level: 'info' }, sink),
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are logged without the key, and 20 from one source get 429 with Retry-After and one log line', async () => {
    const from = (source: string) => ({ headers: { 'x-forwarded-for': source } });
    const wrongKeys = Array.from({ length: 20 }, () => newSecret('tpl_admin'));
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (const wrong of wrongKeys) {
      const answer = await call(server.adminUrl, wrong, 'GET', '/tokens', from('203.0.113.7'));
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
    }
    assert.deepEqual(statuses, [...Array<number>(10).fill(401), ...Array<number>(10).fill(429)]);
    assert.ok(retryAfter && Number(retryAfter) > 0 && Number(retryAfter) <= 300, `Retry-After ${retryAfter}`);

    // Blocked means blocked: the right key from that source waits too, and bodies stay unread.
    assert.equal((await call(server.adminUrl, key, 'GET', '/tokens', from('203.0.113.7'))).status, 429);
    assert.equal((await answerBeforeBody(server.adminUrl, '/tokens', 4 * 1024 * 1024, { 'x-forwarded-for': '203.0.113.7' })).status, 429);
    // Another source is not affected.
    assert.equal((await call(server.adminUrl, key, 'GET', '/tokens', from('203.0.113.8'))).status, 200);
    // A request without any key guesses nothing and is not counted.
    for (let i = 0; i < 15; i++) assert.equal((await call(server.adminUrl, null, 'GET', '/tokens', from('203.0.113.9'))).status, 401);
    assert.equal((await call(server.adminUrl, key, 'GET', '/tokens', from('203.0.113.9'))).status, 200);

    const refused = lines.filter((line) => line.msg === 'API key refused');
    assert.equal(refused.length, 10, 'one line per failed check, none while blocked');
    assert.deepEqual(
      refused.map((line) => [line.source, line.keyPrefix, line.reason]),
      wrongKeys.slice(0, 10).map((wrong) => ['203.0.113.7', wrong.slice(0, 12), 'unknown']),
    );
    const throttled = lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('too many failed API key checks'));
    assert.equal(throttled.length, 1, 'one line when the block starts, not one per request');
    assert.equal(throttled[0]!.source, '203.0.113.7');
    const everything = JSON.stringify(lines);
    for (const secret of [...wrongKeys, key]) assert.ok(!everything.includes(secret), 'no key is ever logged');
  });

  it('counts an IPv6 /64 as one source, and forgets a block once it is over', () => {
    assert.equal(throttleSource('2001:db8:1:2::1'), throttleSource('2001:db8:1:2:ffff:0:0:9'));
    assert.notEqual(throttleSource('2001:db8:1:2::1'), throttleSource('2001:db8:1:3::1'));
    assert.equal(throttleSource('::1'), '0:0:0:0::/64');
    assert.equal(throttleSource('203.0.113.7'), '203.0.113.7');

    let now = 1_000_000;
    const throttle = new AuthThrottle({ burst: 3, windowMs: 1000, blockMs: 5000, maxSources: 2 }, () => now);
    assert.equal(throttle.fail('a'), false);
    now += 1500; // outside the window: the count starts again
    assert.deepEqual([throttle.fail('a'), throttle.fail('a'), throttle.fail('a')], [false, false, true]);
    assert.equal(throttle.blockedFor('a'), 5000);
    assert.equal(throttle.fail('a'), false, 'a failure while blocked starts no second block');
    now += 5000;
    assert.equal(throttle.blockedFor('a'), 0);
    // Memory is bounded: the oldest source is forgotten first.
    throttle.fail('b');
    throttle.fail('b');
    throttle.fail('c');
    throttle.fail('d');
    assert.equal(throttle.fail('b'), false);
  });
});
