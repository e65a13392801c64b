/**
 * `tripline policy check` and `tripline policy generate` as real processes: check's exit code and
 * file:line:field output, and generate fetching a token from a real server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPolicyText } from '../../src/policy/index.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { policy } from '../agent/support/policies.js';

describe('tripline policy', () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tripline-policy-cli-'));
    server = await spawnServer([...(await listenArgs()), '--db', join(dir, 'store.db')], { TRIPLINE_ADMIN_KEY: 'tpl_admin_policy_cli_test_key_0123456789' });
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: 'tpl_admin_policy_cli_test_key_0123456789' };
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('check exits 0 for good files and 1 with FILE:LINE:COL: FIELD: message for a bad one', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, policy({ name: 'good', path: '/srv/decoy', mask: '4' }));
    writeFileSync(bad, policy({ name: 'bad', path: '/srv/decoy', mask: '4' }).replace('operator: Equal', 'operator: Equalz'));
    const ok = await runCli(['policy', 'check', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ok good .*security_file_permission on \/srv\/decoy/);
    const failed = await runCli(['policy', 'check', good, bad]);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, new RegExp(`^${bad}:\\d+:\\d+: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.operator: `, 'm'));
  });

  it("generate prints the tutorial's GetUrl policy with the URL of a web-bug token", async () => {
    const created = await runCli(['token', 'create', '--kind', 'http', '--memo', 'passwd canary', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout) as { id: string; url: string };
    const generated = await runCli(['policy', 'generate', '--token', token.id, '--path', '/etc/passwd', '--access', 'write'], env);
    assert.equal(generated.code, 0, generated.stderr);
    const loaded = loadPolicyText('generated.yaml', generated.stdout);
    assert.deepEqual(loaded.errors, []);
    const [p] = loaded.policies;
    assert.equal(p?.labels['tripline/token'], token.id);
    const selector = p!.hooks[0]!.selectors[0]!;
    assert.equal(p!.hooks[0]!.call, 'security_file_permission');
    assert.deepEqual(
      selector.matchArgs.map((a) => [a.operator, a.values]),
      [
        ['Equal', ['/etc/passwd']],
        ['Equal', ['2']],
      ],
    );
    assert.deepEqual(selector.matchActions, [{ action: 'GetUrl', argUrl: token.url }]);
  });

  it('generate asks for a Post for other tokens, and takes explicit actions', async () => {
    const created = await runCli(['token', 'create', '--kind', 'env', '--memo', 'env decoy', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const post = loadPolicyText('p.yaml', (await runCli(['policy', 'generate', '--token', id, '--path', '/srv/.env', '--access', 'read'], env)).stdout);
    assert.deepEqual(post.policies[0]?.hooks[0]?.selectors[0]?.matchActions, [{ action: 'Post', rateLimitScope: 'thread' }]);
    const kill = loadPolicyText(
      'k.yaml',
      (await runCli(['policy', 'generate', '--token', id, '--path', '/srv/.env', '--access', 'any', '--action', 'sigkill', '--action', 'post'], env)).stdout,
    );
    assert.deepEqual(
      kill.policies[0]?.hooks[0]?.selectors[0]?.matchActions.map((a) => a.action),
      ['Sigkill', 'Post'],
    );
  });
});

describe('tripline agent flags', () => {
  it('refuses a server without an agent key, and an agent key without a server, saying which', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-agent-flags-'));
    try {
      const keyless = await runCli(['agent', '--policy-dir', dir, '--server', 'http://127.0.0.1:1'], { TRIPLINE_AGENT_KEY: '', TRIPLINE_URL: '' });
      assert.equal(keyless.code, 1);
      assert.match(keyless.stderr, /--server needs --agent-key/);
      const serverless = await runCli(['agent', '--policy-dir', dir, '--agent-key', 'tpl_agent_x'], { TRIPLINE_URL: '' });
      assert.equal(serverless.code, 1);
      assert.match(serverless.stderr, /--agent-key needs --server/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
