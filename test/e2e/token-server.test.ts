import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('curl', ['-sS', ...args], { timeout: 30_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

describe('tripline server and CLI as real processes', () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  let listen: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tripline-e2e-'));
    listen = await listenArgs();
    server = await spawnServer([...listen, '--db', join(dir, 'store.db')], { TRIPLINE_ADMIN_KEY: '' });
    const key = /tpl_admin_[A-Za-z0-9_-]{43}/.exec(server.stderr())?.[0];
    assert.ok(key, `the first start prints a generated admin key:\n${server.stderr()}`);
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: key };
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a curl hit that `token hits --json` shows with source, user agent, path and query', async () => {
    const created = await runCli(['token', 'create', '--kind', 'http', '--memo', 'e2e web bug', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout);
    const written = await curl(['-A', 'evil/1.0', '-o', '/dev/null', '-w', '%{http_code} %{content_type}', `${server.url}/assets/${token.id}/logo.gif?q=1`]);
    assert.equal(written, '200 image/gif');
    const hits = await runCli(['token', 'hits', token.id, '--json'], env);
    assert.equal(hits.code, 0, hits.stderr);
    const [hit] = JSON.parse(hits.stdout).items;
    assert.equal(hit.source, '127.0.0.1');
    assert.equal(hit.userAgent, 'evil/1.0');
    assert.equal(hit.detail.path, `/assets/${token.id}/logo.gif`);
    assert.equal(hit.detail.query, 'q=1');
    const table = await runCli(['token', 'hits', token.id], env);
    assert.match(table.stdout, /^TIME +SOURCE +USER AGENT +WHAT$/m);
    assert.match(table.stdout, /127\.0\.0\.1 +evil\/1\.0 +GET \/assets\//);
  });

  it('lists, shows, disables, enables and deletes through the CLI', async () => {
    const token = JSON.parse((await runCli(['token', 'create', '--kind', 'http', '--memo', 'lifecycle', '--json'], env)).stdout);
    assert.match((await runCli(['token', 'list'], env)).stdout, new RegExp(`${token.id} +http +yes +0`));
    assert.match((await runCli(['token', 'show', token.id], env)).stdout, /memo +lifecycle/);
    assert.equal(JSON.parse((await runCli(['token', 'disable', token.id, '--json'], env)).stdout).enabled, false);
    assert.equal(JSON.parse((await runCli(['token', 'enable', token.id, '--json'], env)).stdout).enabled, true);
    assert.equal((await runCli(['token', 'delete', token.id], env)).code, 0);
    const gone = await runCli(['token', 'show', token.id], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /404 token .* not found/);
  });

  it('says clearly when the key is wrong or the server is unreachable', async () => {
    const wrong = await runCli(['token', 'list'], { ...env, TRIPLINE_KEY: 'tpl_admin_nope' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /401 the API key is not valid/);
    const unreachable = await runCli(['token', 'list'], { ...env, TRIPLINE_URL: 'http://127.0.0.1:1' });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach the Tripline server at http:\/\/127\.0\.0\.1:1/);
    const invalid = await runCli(['token', 'create', '--kind', 'http', '--memo', 'x'.repeat(1001)], env);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /memo/);
  });

  it('prints the generated key only on the first start', async () => {
    await server.stop();
    server = await spawnServer([...listen, '--db', join(dir, 'store.db')], { TRIPLINE_ADMIN_KEY: '' });
    assert.doesNotMatch(server.stderr(), /tpl_admin_/);
    assert.equal((await runCli(['token', 'list', '--json'], env)).code, 0, 'the first key still works');
  });
});

describe('acknowledged hits survive a crash', () => {
  const CRASH_KEY = 'tpl_admin_crash-test-key-0123456789abcdef';
  it('finds every hit that got a 200 after the server is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-e2e-'));
    // 500 hits at once from one source: the per-source connection cap is raised so every one lands.
    const args = [...(await listenArgs()), '--max-connections-per-source', '1000', '--db', join(dir, 'store.db')];
    const env = { TRIPLINE_ADMIN_KEY: CRASH_KEY };
    let server = await spawnServer(args, env);
    try {
      const created = await fetch(`${server.adminUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CRASH_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'http', memo: 'crash' }),
      });
      const token = (await created.json()) as { id: string };
      const statuses = await Promise.all(
        Array.from({ length: 500 }, (_, n) =>
          fetch(`${server.url}/${token.id}?n=${n}`).then(
            (r) => r.status,
            () => 0,
          ),
        ),
      );
      const acknowledged = statuses.filter((s) => s === 200).length;
      assert.equal(acknowledged, 500);
      await server.stop('SIGKILL');
      server = await spawnServer(args, env);
      const shown = await fetch(`${server.adminUrl}/api/v1/tokens/${token.id}`, { headers: { authorization: `Bearer ${CRASH_KEY}` } });
      assert.equal(((await shown.json()) as { hitCount: number }).hitCount, acknowledged);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('server start-up failures', () => {
  it('exits non-zero with one clear line when the store is unreachable', async () => {
    const result = await runCli(['server', ...(await listenArgs()), '--db', 'postgres://tripline:pw@127.0.0.1:1/tripline']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /tripline: cannot reach PostgreSQL at postgres:\/\/tripline:\*\*\*@127\.0\.0\.1:1\/tripline/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('exits non-zero with one clear line when TRIPLINE_ADMIN_KEY is shorter than 32 characters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-e2e-'));
    try {
      const result = await runCli(['server', ...(await listenArgs()), '--db', join(dir, 'store.db')], { TRIPLINE_ADMIN_KEY: 'tpl_admin_short' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /tripline: TRIPLINE_ADMIN_KEY is 15 characters long; it must be at least 32/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero, naming the listener, when a port is taken', async () => {
    const PORT_TEST_KEY = 'tpl_admin_port-test-key-0123456789abcdef';
    const dir = mkdtempSync(join(tmpdir(), 'tripline-e2e-'));
    const listen = await listenArgs();
    const first = await spawnServer([...listen, '--db', join(dir, 'a.db')], { TRIPLINE_ADMIN_KEY: PORT_TEST_KEY });
    try {
      const trigger = await runCli(['server', listen[0]!, listen[1]!, '--admin-listen', `127.0.0.1:${await freePort()}`, '--db', join(dir, 'b.db')], {
        TRIPLINE_ADMIN_KEY: PORT_TEST_KEY,
      });
      assert.notEqual(trigger.code, 0);
      assert.match(trigger.stderr, /--listen .*EADDRINUSE/);
      const admin = await runCli(['server', '--listen', `127.0.0.1:${await freePort()}`, listen[2]!, listen[3]!, '--db', join(dir, 'c.db')], {
        TRIPLINE_ADMIN_KEY: PORT_TEST_KEY,
      });
      assert.notEqual(admin.code, 0);
      assert.match(admin.stderr, /--admin-listen .*EADDRINUSE/);
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
