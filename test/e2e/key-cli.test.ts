/**
 * `tripline key create|list|revoke` as real processes against a real server: the key is printed
 * once, listed by its prefix only, and refused once revoked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('tripline key', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key };
  });
  after(() => server.close());

  it('creates a key of a role and prints it once, lists it by prefix, and revokes it', async () => {
    const created = await runCli(['key', 'create', '--role', 'viewer', '--name', 'auditor'], env);
    assert.equal(created.code, 0, created.stderr);
    const key = /^\s+(tpl_viewer_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    assert.ok(key, created.stdout);
    const id = /^id\s+(\S+)$/m.exec(created.stdout)?.[1];
    assert.ok(id, created.stdout);
    assert.match(created.stdout, /^role\s+viewer$/m);

    // The new key works, read-only.
    const asViewer = { ...env, TRIPLINE_KEY: key };
    assert.equal((await runCli(['token', 'list'], asViewer)).code, 0);
    const refused = await runCli(['token', 'create', '--kind', 'http', '--memo', 'm'], asViewer);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /403 a viewer key cannot do this; it needs an admin key/);

    const listed = await runCli(['key', 'list'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+NAME\s+ROLE\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$/m);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(id));
    assert.ok(row, listed.stdout);
    assert.match(row, new RegExp(`auditor\\s+viewer\\s+${key.slice(0, 13)}\\s+\\S+\\s+never\\s+no$`));
    assert.ok(!listed.stdout.includes(key), 'the key itself is never listed');

    const revoked = await runCli(['key', 'revoke', id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `key ${id} revoked\n`);
    const after = await runCli(['token', 'list'], asViewer);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /401 the API key has been revoked/);
    const json = JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as { id: string; revokedAt: string | null }[];
    assert.ok(json.find((k) => k.id === id)?.revokedAt);
  });

  it('refuses an unknown role and a missing name with a usage error', async () => {
    const badRole = await runCli(['key', 'create', '--role', 'root', '--name', 'x'], env);
    assert.equal(badRole.code, 1);
    assert.match(badRole.stderr, /argument 'root' is invalid. Allowed choices are admin, viewer, agent/);
    const noName = await runCli(['key', 'create', '--role', 'admin'], env);
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /--name/);
    const unknown = await runCli(['key', 'revoke', '0'.repeat(26)], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 key 0{26} not found/);
  });
});
