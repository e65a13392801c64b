import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadPolicyFile, loadPolicyText } from '../../src/policy/load.js';
import { fixture } from './helpers.js';

async function formatted(name: string): Promise<string[]> {
  const result = await loadPolicyFile(fixture(name));
  assert.deepEqual(result.policies, [], 'a file with errors yields no policies');
  return result.errors.map((e) => e.format().replace(fixture(''), ''));
}

test('the tutorial policy loads as written, watching only writes of its path', async () => {
  const result = await loadPolicyFile(fixture('tutorial.yaml'));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  const [policy] = result.policies;
  assert.equal(policy?.name, 'monitor-etc-passwd-canary');
  assert.equal(policy.kind, 'TracingPolicy');
  assert.equal(policy.mode, 'enforce');
  assert.deepEqual(policy.watches, [{ path: '/tmp/tripline-scratch/passwd', match: 'exact', accesses: ['write'] }]);
  const [hook] = policy.hooks;
  assert.equal(hook?.call, 'security_file_permission');
  assert.equal(hook.syscall, false);
  assert.deepEqual(hook.selectors[0]?.matchActions, [{ action: 'GetUrl', argUrl: 'http://127.0.0.1:8999/canary' }]);
});

test('a bad operator is reported at its line with the Tetragon field path', async () => {
  assert.deepEqual(await formatted('bad-operator.yaml'), [
    'bad-operator.yaml:21:19: spec.kprobes[0].selectors[0].matchArgs[1].operator: unknown operator "Equals"; supported: Equal, NotEqual, Prefix, NotPrefix, Postfix, NotPostfix, Mask',
  ]);
});

test('a GetUrl without argUrl points at the action', async () => {
  assert.deepEqual(await formatted('missing-argurl.yaml'), ['missing-argurl.yaml:18:9: spec.kprobes[0].selectors[0].matchActions[1].argUrl: is required']);
});

test('an unknown hook is refused with the list of supported ones', async () => {
  const [message, ...rest] = await formatted('unknown-hook.yaml');
  assert.deepEqual(rest, []);
  assert.match(message!, /^unknown-hook\.yaml:7:11: spec\.kprobes\[0\]\.call: unsupported call "sys_openat"/);
  for (const hook of [
    'security_file_permission',
    'security_file_open',
    'fd_install',
    'security_file_truncate',
    'security_path_truncate',
    'security_mmap_file',
  ]) {
    assert.ok(message!.includes(hook), hook);
  }
});

test('a key indented too far is a YAML syntax error at that line', async () => {
  assert.deepEqual(await formatted('bad-indent.yaml'), [
    'bad-indent.yaml:8:13: YAML syntax: Implicit keys need to be on a single line: check the indentation of this line',
  ]);
});

test('the tutorial as printed, its indentation lost, fails at the first flattened line', async () => {
  const [first] = await formatted('seed-as-printed.yaml');
  assert.match(first!, /^seed-as-printed\.yaml:2:\d+: YAML syntax: /);
});

test('values of the wrong type are each reported', async () => {
  assert.deepEqual(await formatted('wrong-type.yaml'), [
    'wrong-type.yaml:8:14: spec.kprobes[0].syscall: expected true or false, got the string "no"',
    'wrong-type.yaml:10:14: spec.kprobes[0].args[0].index: expected an integer, got the string "zero"',
    'wrong-type.yaml:13:7: spec.kprobes[0].selectors: expected a list, got a mapping',
  ]);
});

test('several documents load as several policies; comment-only documents are skipped', async () => {
  const result = await loadPolicyFile(fixture('multi.yaml'));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.policies.map((p) => [p.kind, p.name, p.namespace, p.mode]),
    [
      ['TracingPolicy', 'decoy-key-read', undefined, 'enforce'],
      ['TracingPolicyNamespaced', 'decoy-env', 'payments', 'monitor'],
    ],
  );
  assert.deepEqual(result.policies[0]?.watches, [{ path: '/srv/decoy/id_rsa', match: 'exact', accesses: ['open'] }]);
  assert.deepEqual(result.policies[1]?.watches, [{ path: '/srv/app/', match: 'prefix', accesses: ['read', 'write'] }]);
  // A namespaced policy applies to the pods of its namespace only (never to host processes).
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(result.policies[1]?.scope, { namespace: 'payments' });
});

test('one bad document makes the whole file yield nothing', async () => {
  assert.deepEqual(await formatted('half-bad.yaml'), [
    'half-bad.yaml:34:19: spec.kprobes[0].selectors[0].matchActions[0].argError: must be between -4095 and -1, got 1',
  ]);
});

test('errors carry file, line, column, field and message separately', async () => {
  const text = await readFile(fixture('bad-operator.yaml'), 'utf8');
  const [error] = loadPolicyText('policies/x.yaml', text).errors;
  assert.equal(error?.file, 'policies/x.yaml');
  assert.equal(error.line, 21);
  assert.equal(error.column, 19);
  assert.equal(error.field, 'spec.kprobes[0].selectors[0].matchArgs[1].operator');
  assert.match(error.message, /^unknown operator "Equals"/);
  assert.equal(error.code, 'invalid_input');
});
