import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

async function call(server: TestServer, method: string, path: string, init: { key?: string | null; body?: string | Buffer; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? server.key}`;
  if (init.body !== undefined) headers['content-type'] = init.type ?? 'application/json';
  const response = await fetch(`${server.adminUrl}${path}`, { method, headers, body: init.body });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

describe('REST API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('refuses a missing or wrong key with 401 on every API route', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/tokens'],
      ['POST', '/api/v1/tokens'],
      ['GET', `/api/v1/tokens/${'a'.repeat(26)}`],
      ['DELETE', `/api/v1/tokens/${'a'.repeat(26)}`],
      ['GET', '/api/v1/nothing-here'],
    ] as const) {
      assert.equal((await call(server, method, path, { key: null })).status, 401, `${method} ${path} without key`);
      assert.equal((await call(server, method, path, { key: 'tpl_admin_wrong' })).status, 401, `${method} ${path} wrong key`);
    }
    const response = await call(server, 'GET', '/api/v1/tokens', { key: null });
    assert.match(response.body.message, /Bearer/);
  });

  it('serves health and metrics without a key', async () => {
    assert.deepEqual((await call(server, 'GET', '/healthz', { key: null })).body, { status: 'ok', store: 'sqlite' });
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'm' });
    await fetch(`${server.url}/${token.id}`);
    const metrics = await call(server, 'GET', '/metrics', { key: null });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /tripline_hits_total\{kind="http"\} 1/);
    assert.match(metrics.body, /tripline_http_request_duration_seconds_bucket\{.*route="trigger"/);
    assert.match(metrics.body, /tripline_store_errors_total/);
    // The SQLite store's WAL, read from its checkpoint thread.
    for (const gauge of [
      'tripline_sqlite_wal_bytes',
      'tripline_sqlite_checkpoint_lag_frames',
      'tripline_sqlite_seconds_since_complete_checkpoint',
      'tripline_sqlite_checkpoint_thread_restarts',
    ]) {
      assert.match(metrics.body, new RegExp(`^${gauge} \\d+(\\.\\d+)?$`, 'm'), gauge);
    }
  });

  it('creates, shows, lists, pages, updates and deletes tokens', async () => {
    const created = await server.api('POST', '/tokens', { kind: 'http', memo: 'the payroll share' });
    assert.equal(created.status, 201);
    for (const field of ['id', 'kind', 'memo', 'url', 'enabled', 'createdAt']) assert.ok(field in created.body, field);
    assert.equal(created.body.enabled, true);
    const id = created.body.id;
    assert.equal((await server.api('GET', `/tokens/${id}`)).body.memo, 'the payroll share');
    assert.equal((await server.api('GET', '/tokens?q=payroll')).body.items[0].id, id);
    assert.equal((await server.api('PATCH', `/tokens/${id}`, { memo: 'renamed', enabled: false })).body.enabled, false);
    const first = await server.api('GET', '/tokens?limit=1');
    assert.equal(first.body.items.length, 1);
    assert.ok(first.body.nextCursor);
    assert.equal((await server.api('DELETE', `/tokens/${id}`)).status, 204);
    assert.equal((await server.api('GET', `/tokens/${id}`)).status, 404);
  });

  it('answers bad input with a 4xx that says what is wrong', async () => {
    const cases: [string, string, string | Buffer, number, RegExp][] = [
      ['POST', '/api/v1/tokens', '{"kind": "http", "memo": ', 400, /not valid JSON/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'nope', memo: 'm' }), 400, /unknown token kind "nope"/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'http', memo: 'm'.repeat(1001) }), 400, /memo.*1000/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'http', memo: '' }), 400, /memo/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'http', memo: 'm', redirect: 'javascript:alert(1)' }), 400, /redirect/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'http', memo: 'm', redirect: 'not a url' }), 400, /redirect/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'http', memo: 'm', extra: 1 }), 400, /extra/],
      ['POST', '/api/v1/tokens', JSON.stringify({ kind: 'http' }), 400, /memo/],
      ['POST', '/api/v1/tokens', JSON.stringify([1, 2]), 400, /body/],
      ['POST', '/api/v1/tokens', Buffer.from([0x7b, 0x22, 0x6b, 0xff, 0xfe, 0x22, 0x7d]), 400, /UTF-8/],
      ['POST', '/api/v1/tokens', Buffer.alloc(1024 * 1024 + 1, 0x20), 413, /large|limit/i],
      ['PATCH', `/api/v1/tokens/${'a'.repeat(26)}`, JSON.stringify({ enabled: 'yes' }), 400, /enabled/],
      ['GET', '/api/v1/tokens?limit=0', '', 400, /limit/],
      ['GET', '/api/v1/tokens?cursor=garbage', '', 400, /cursor/],
      ['GET', '/api/v1/tokens/..%2f..%2fetc%2fpasswd', '', 404, /not found/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const response = await call(server, method, path, body === '' ? {} : { body });
      assert.equal(response.status, status, `${method} ${path}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message, message, `${method} ${path}`);
    }
    const wrongType = await call(server, 'POST', '/api/v1/tokens', { body: 'kind=http', type: 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);
  });
});
