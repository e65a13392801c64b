import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPolicyFiles } from '../../src/policy/check.js';
import { PolicySet } from '../../src/policy/policy-set.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { fileEvent, fixture } from './helpers.js';

test('checkPolicyFiles reports each bad file and still summarises the good ones', async () => {
  const result = await checkPolicyFiles([fixture('tutorial.yaml'), fixture('bad-operator.yaml'), fixture('multi.yaml')]);
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.errors.map((e) => [e.file, e.line, e.field]),
    [[fixture('bad-operator.yaml'), 21, 'spec.kprobes[0].selectors[0].matchArgs[1].operator']],
  );
  assert.deepEqual(
    result.policies.map((p) => [p.name, p.hooks, p.actions, p.mode]),
    [
      ['monitor-etc-passwd-canary', ['security_file_permission'], ['GetUrl', 'Post'], 'enforce'],
      ['decoy-key-read', ['file_open'], ['Post'], 'enforce'],
      ['decoy-env', ['security_file_permission'], ['Sigkill', 'Post'], 'monitor'],
    ],
  );
  assert.equal(result.policies[2]?.namespace, 'payments');
});

test('checkPolicyFiles is ok for good files, and reports unreadable ones', async () => {
  assert.equal((await checkPolicyFiles([fixture('tutorial.yaml')])).ok, true);
  const missing = await checkPolicyFiles([fixture('no-such-file.yaml')]);
  assert.equal(missing.ok, false);
  assert.equal(missing.errors[0]?.format(), `${fixture('no-such-file.yaml')}: cannot read the file (ENOENT)`);
});

test('a policy name used by two files is an error for the second', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tripline-policy-'));
  try {
    const copy = join(dir, 'copy.yaml');
    await writeFile(copy, await readFile(fixture('tutorial.yaml')));
    const result = await checkPolicyFiles([fixture('tutorial.yaml'), copy]);
    assert.deepEqual(
      result.errors.map((e) => e.format()),
      [`${copy}:4:9: metadata.name: policy monitor-etc-passwd-canary is already defined in ${fixture('tutorial.yaml')}`],
    );
    assert.equal(result.policies.length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const policyFor = (name: string, path: string) => `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ${name}
spec:
  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: ["${path}"]
`;

test('PolicySet replaces and removes what a file contributed', () => {
  const set = new PolicySet();
  set.update(loadPolicyText('a.yaml', policyFor('a', '/srv/a')));
  set.update(loadPolicyText('b.yaml', policyFor('b', '/srv/b')));
  assert.deepEqual(
    set.watches().map((w) => w.path),
    ['/srv/a', '/srv/b'],
  );
  assert.deepEqual(
    set.evaluate(fileEvent('/srv/b', 'open')).map((m) => m.policy),
    ['b'],
  );

  // b.yaml now watches another file; a broken edit of a.yaml drops a's policy.
  set.update(loadPolicyText('b.yaml', policyFor('b', '/srv/c')));
  const broken = set.update(loadPolicyText('a.yaml', 'kind: [oops'));
  assert.notEqual(broken.errors.length, 0);
  assert.deepEqual(
    set.watches().map((w) => w.path),
    ['/srv/c'],
  );
  set.remove('b.yaml');
  assert.deepEqual(set.policies, []);
});
