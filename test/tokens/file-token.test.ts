import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TriplineError } from '../../src/core/errors.js';
import { newTokenId } from '../../src/core/ids.js';
import { loadPolicyText, TOKEN_LABEL } from '../../src/policy/index.js';
import type { Token } from '../../src/store/repositories/tokens.js';
import { fileTokenKind } from '../../src/tokens/file.js';
import { tokenKind } from '../../src/tokens/registry.js';

const context = { publicUrl: 'https://canary.example.com' };

function token(options: Record<string, unknown>): Token {
  const id = newTokenId();
  const config = fileTokenKind.prepare(id, { memo: 'm', options }, context);
  return {
    id,
    kind: 'file',
    memo: 'm',
    enabled: true,
    redirect: null,
    config,
    alertWindowSeconds: null,
    hitCount: 0,
    hitsKept: 0,
    lastHitAt: null,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

function refusal(options: Record<string, unknown> | undefined): TriplineError {
  try {
    fileTokenKind.prepare(newTokenId(), { memo: 'm', ...(options ? { options } : {}) }, context);
  } catch (error) {
    assert.ok(error instanceof TriplineError);
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(options)}`);
}

describe('file token kind', () => {
  it('is registered under the kind "file"', () => {
    assert.equal(tokenKind('file'), fileTokenKind);
  });

  it('hands out the TracingPolicy that watches the path, labelled with the token', () => {
    const t = token({ path: '/root/.ssh/id_ed25519', access: 'read' });
    const artifact = fileTokenKind.artifact(t, context);
    assert.equal(artifact.file?.name, `tripline-${t.id}.yaml`);
    const loaded = loadPolicyText('artifact.yaml', artifact.file!.content);
    assert.deepEqual(loaded.errors, []);
    const [policy] = loaded.policies;
    assert.equal(policy!.labels[TOKEN_LABEL], t.id);
    assert.equal(policy!.name, `tripline-${t.id}`);
    assert.deepEqual(
      policy!.watches.map((w) => [w.path, w.match]),
      [['/root/.ssh/id_ed25519', 'exact']],
    );
    assert.ok(policy!.accesses.includes('read'));
    assert.ok(!policy!.accesses.includes('write'), 'access read watches reads only');
    assert.equal(artifact.extraFiles, undefined, 'no decoy content for an existing file');
    assert.match(artifact.usage!, /policy directory/);
  });

  it('defaults to any access, and keeps the same artifact for the same token', () => {
    const t = token({ path: '/srv/backup/secrets.txt' });
    assert.equal(t.config.access, 'any');
    assert.deepEqual(fileTokenKind.artifact(t, context), fileTokenKind.artifact(t, context));
    const [policy] = loadPolicyText('a.yaml', fileTokenKind.artifact(t, context).file!.content).policies;
    assert.ok(policy!.accesses.includes('read') && policy!.accesses.includes('write'));
  });

  it('generates and keeps a decoy when asked for one, with its secrets recorded', () => {
    const t = token({ path: '/home/alice/.aws/credentials', decoyKind: 'aws-credentials', node: 'web-01' });
    const artifact = fileTokenKind.artifact(t, context);
    assert.equal(artifact.extraFiles?.length, 1);
    assert.equal(artifact.extraFiles![0]!.name, 'credentials');
    assert.equal(artifact.extraFiles![0]!.mode, 0o600);
    assert.match(artifact.extraFiles![0]!.content, /^\[default\]\naws_access_key_id = AKIA/);
    assert.equal(t.config.node, 'web-01');
    const credentials = t.config.credentials as { accessKeyId?: string }[];
    assert.ok(artifact.extraFiles![0]!.content.includes(credentials[0]!.accessKeyId!));
    assert.match(artifact.usage!, new RegExp(`decoy plant --token ${t.id}`));
    const other = token({ path: '/home/alice/.aws/credentials', decoyKind: 'aws-credentials' });
    assert.notEqual(fileTokenKind.artifact(other, context).extraFiles![0]!.content, artifact.extraFiles![0]!.content);
  });

  it('refuses options it cannot write into a policy, naming the option', () => {
    const cases: [Record<string, unknown> | undefined, string][] = [
      [undefined, 'options.path'],
      [{ path: 'relative/file' }, 'options.path'],
      [{ path: '/etc/../etc/passwd' }, 'options.path'],
      [{ path: '/root/.ssh/' }, 'options.path'],
      [{ path: '/' }, 'options.path'],
      [{ path: '/tmp/a\nb' }, 'options.path'],
      [{ path: 7 }, 'options.path'],
      [{ path: `/${'a'.repeat(5000)}` }, 'options.path'],
      [{ path: '/tmp/x', access: 'sniff' }, 'options.access'],
      [{ path: '/tmp/x', decoyKind: 'pdf' }, 'options.decoyKind'],
      [{ path: '/tmp/x', node: 'bad host\n' }, 'options.node'],
    ];
    for (const [options, field] of cases) {
      const error = refusal(options);
      assert.equal(error.status, 400, JSON.stringify(options));
      assert.equal(error.context.field, field, JSON.stringify(options));
    }
  });

  it('describes its options for create forms', () => {
    const names = fileTokenKind.optionFields!.map((f) => f.name);
    assert.deepEqual(names, ['path', 'decoyKind', 'access', 'node']);
    const kinds = fileTokenKind.optionFields!.find((f) => f.name === 'decoyKind')!.choices!.map((c) => c.value);
    assert.deepEqual(kinds, ['none', 'ssh-key', 'aws-credentials', 'kubeconfig', 'env', 'generic']);
  });
});
