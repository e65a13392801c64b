/**
 * `tripline decoy plant` against a real server process: what it writes, what it refuses to
 * overwrite, how it replants, and the tutorial's shape when given a web-bug token.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../support/process.js';
import { plant, startWorld, stopWorld, type DecoyWorld } from './decoy-support.js';

describe('tripline decoy plant', () => {
  let world: DecoyWorld;
  const policies = () => join(world.dir, 'policies');

  before(async () => {
    world = await startWorld('tripline-e2e-plant-');
  });
  after(() => stopWorld(world));

  it('writes each kind with mode 0600, creates a file token holding the same content, and writes its policy', async () => {
    for (const kind of ['ssh-key', 'aws-credentials', 'kubeconfig', 'env', 'generic']) {
      const path = join(world.dir, 'kinds', kind, 'secret');
      const planted = await plant(world, ['--kind', kind, '--path', path, '--policy-dir', policies()]);
      assert.equal(statSync(path).mode & 0o777, 0o600, kind);
      const token = (await world.api('GET', `/tokens/${planted.tokenId}`)).body;
      assert.equal(token.kind, 'file');
      assert.equal(token.artifact.extraFiles[0].content, readFileSync(path, 'utf8'), `${kind}: the token holds what was planted`);
      assert.equal(planted.policyFile, join(policies(), `tripline-${planted.tokenId}.yaml`));
      const policy = parse(readFileSync(planted.policyFile, 'utf8'));
      assert.equal(policy.metadata.labels['tripline/token'], planted.tokenId);
      assert.deepEqual(policy.spec.kprobes[0].selectors[0].matchArgs[0].values, [path]);
    }
    const check = await runCli(['policy', 'check', ...readdirSync(policies()).map((f) => join(policies(), f))], world.env);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  it('refuses to overwrite a file no Tripline policy watches, unless --force', async () => {
    const real = join(world.dir, 'real-key');
    writeFileSync(real, "the operator's real key\n");
    const refused = await runCli(['decoy', 'plant', '--kind', 'ssh-key', '--path', real, '--policy-dir', policies()], world.env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists and no Tripline policy .* watches it: it may be a real file\. Use --force/);
    assert.equal(readFileSync(real, 'utf8'), "the operator's real key\n");
    const tokens = (await world.api('GET', '/tokens?kind=file&limit=500')).body.items;
    assert.ok(!tokens.some((t: { memo: string }) => t.memo.includes(real)), 'no token was created for a refused plant');
    await plant(world, ['--kind', 'ssh-key', '--path', real, '--policy-dir', policies(), '--force']);
    assert.match(readFileSync(real, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it('replants over its own decoy and removes the old policy, so one path has one policy', async () => {
    const path = join(world.dir, 'replant', 'id_rsa');
    const first = await plant(world, ['--kind', 'generic', '--path', path, '--policy-dir', policies()]);
    const firstContent = readFileSync(path, 'utf8');
    const second = await plant(world, ['--kind', 'generic', '--path', path, '--policy-dir', policies()]);
    assert.notEqual(second.tokenId, first.tokenId);
    assert.notEqual(readFileSync(path, 'utf8'), firstContent, 'fresh content');
    assert.equal(existsSync(first.policyFile), false);
    assert.equal(existsSync(second.policyFile), true);
    const again = await plant(world, ['--token', second.tokenId, '--path', path, '--policy-dir', policies()]);
    assert.equal(again.tokenId, second.tokenId);
    assert.equal(readFileSync(path, 'utf8'), (await world.api('GET', `/tokens/${second.tokenId}`)).body.artifact.extraFiles[0].content);
  });

  it('refuses what it cannot do, saying why', async () => {
    const dir = join(world.dir, 'a-directory');
    const cases: [string[], RegExp][] = [
      [['--path', join(world.dir, 'x')], /--kind is required/],
      [['--kind', 'pdf', '--path', join(world.dir, 'x')], /argument 'pdf' is invalid/],
      [['--kind', 'ssh-key', '--path', world.dir], /is not a regular file/],
      [['--kind', 'ssh-key', '--path', join(world.dir, 'x'), '--action', 'explode'], /--action explode is not one of/],
      [['--kind', 'ssh-key', '--path', join(world.dir, 'x'), '--token', 'a'.repeat(26)], /404/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['decoy', 'plant', '--policy-dir', policies(), ...args], world.env);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.equal(existsSync(dir), false);
    assert.equal(existsSync(join(world.dir, 'x')), false);
  });

  it("with a web-bug token, writes the tutorial's policy: GetUrl to the token URL on reads and writes", async () => {
    const bug = (await world.api('POST', '/tokens', { kind: 'http', memo: 'tutorial web bug' })).body;
    const path = join(world.dir, 'tutorial', 'id_rsa');
    const planted = await plant(world, ['--kind', 'ssh-key', '--token', bug.id, '--path', path, '--policy-dir', policies()]);
    assert.equal(planted.tokenId, bug.id);
    const policy = parse(readFileSync(planted.policyFile, 'utf8'));
    const selector = policy.spec.kprobes[0].selectors[0];
    assert.equal(policy.spec.kprobes[0].call, 'security_file_permission');
    assert.deepEqual(selector.matchActions, [{ action: 'GetUrl', argUrl: bug.url }]);
    assert.match(readFileSync(path, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----/);
    const file = (await world.api('POST', '/tokens', { kind: 'file', memo: 'existing', options: { path: '/etc/hosts' } })).body;
    const noDecoy = await runCli(['decoy', 'plant', '--token', file.id, '--path', join(world.dir, 'y'), '--policy-dir', policies()], world.env);
    assert.equal(noDecoy.code, 1);
    assert.match(noDecoy.stderr, /holds no decoy/);
  });
});
