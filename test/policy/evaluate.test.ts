import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyFile } from '../../src/policy/load.js';
import { equalPathSelector, fileEvent, fixture, onePolicy, permissionPolicy } from './helpers.js';

const DECOY = '/srv/decoy/passwd';

test('the tutorial policy matches a write of its file and not a read', async () => {
  const [policy] = (await loadPolicyFile(fixture('tutorial.yaml'))).policies;
  const path = '/tmp/tripline-scratch/passwd';
  const match = policy!.evaluate(fileEvent(path, 'write'));
  assert.deepEqual(match, {
    policy: 'monitor-etc-passwd-canary',
    hook: 'security_file_permission',
    hookKind: 'kprobe',
    hookIndex: 0,
    selector: 0,
    actions: [
      { action: 'GetUrl', argUrl: 'http://127.0.0.1:8999/canary' },
      { action: 'Post', rateLimitScope: 'thread' },
    ],
    suppressed: [],
    args: [
      { index: 0, type: 'file', path },
      { index: 1, type: 'int', value: 2 },
    ],
    tags: [],
  });
  assert.equal(policy!.evaluate(fileEvent(path, 'read')), null);
  assert.equal(policy!.evaluate(fileEvent('/tmp/tripline-scratch/other', 'write')), null);
});

/** One selector with one file filter, checked against the event's path. */
function fileOperator(operator: string, values: string[], path: string): boolean {
  const policy = permissionPolicy(`    - matchArgs:
      - index: 0
        operator: Prefix
        values: ["/srv/"]
      - index: 0
        operator: ${operator}
        values: ${JSON.stringify(values)}
`);
  return policy.evaluate(fileEvent(path, 'read')) !== null;
}

test('file operators compare the path as Tetragon does', () => {
  const cases: [string, string[], string, boolean][] = [
    ['Equal', [DECOY], DECOY, true],
    ['Equal', ['/srv/decoy/other', DECOY], DECOY, true],
    ['Equal', ['/srv/decoy/pass'], DECOY, false],
    ['NotEqual', ['/srv/decoy/other'], DECOY, true],
    ['NotEqual', ['/srv/decoy/other', DECOY], DECOY, false],
    ['Prefix', ['/srv/decoy/'], DECOY, true],
    ['Prefix', ['/srv/decoy/pass'], DECOY, true],
    ['Prefix', ['/srv/other/'], DECOY, false],
    ['NotPrefix', ['/srv/other/'], DECOY, true],
    ['NotPrefix', ['/srv/decoy'], DECOY, false],
    ['Postfix', ['passwd'], DECOY, true],
    ['Postfix', ['shadow'], DECOY, false],
    ['NotPostfix', ['shadow'], DECOY, true],
    ['NotPostfix', ['/passwd'], DECOY, false],
    // Lower-case spellings and Tetragon's short aliases.
    ['equal', [DECOY], DECOY, true],
    ['eq', [DECOY], DECOY, true],
    ['neq', [DECOY], DECOY, false],
    ['prefix', ['/srv/decoy/'], DECOY, true],
    ['notpostfix', ['passwd'], DECOY, false],
  ];
  for (const [operator, values, path, expected] of cases) {
    assert.equal(fileOperator(operator, values, path), expected, `${operator} ${values.join(',')} on ${path}`);
  }
});

test('the int argument is the access mask: read is 4, write is 2', () => {
  const withMask = (operator: string, value: string) =>
    permissionPolicy(`${equalPathSelector(DECOY)}      - index: 1
        operator: ${operator}
        values: ["${value}"]
`);
  const fires = (operator: string, value: string, access: 'read' | 'write') => withMask(operator, value).evaluate(fileEvent(DECOY, access)) !== null;
  assert.equal(fires('Equal', '2', 'write'), true);
  assert.equal(fires('Equal', '2', 'read'), false);
  assert.equal(fires('Equal', '4', 'read'), true);
  assert.equal(fires('Equal', '0x4', 'read'), true);
  assert.equal(fires('NotEqual', '2', 'read'), true);
  assert.equal(fires('NotEqual', '2', 'write'), false);
  assert.equal(fires('Mask', '2', 'write'), true);
  assert.equal(fires('Mask', '2', 'read'), false);
  assert.equal(fires('Mask', '6', 'read'), true);
  assert.equal(fires('Mask', '6', 'write'), true);
  assert.equal(fires('mask', '4', 'read'), true);
});

test('selectors OR and the first match wins; filters within a selector AND', () => {
  const policy = permissionPolicy(`${equalPathSelector(DECOY)}      matchBinaries:
      - operator: In
        values: ["/usr/bin/vim"]
      matchActions:
      - action: Sigkill
${equalPathSelector(DECOY)}      - index: 1
        operator: Equal
        values: ["2"]
      matchActions:
      - action: Post
    - matchArgs:
      - index: 0
        operator: Prefix
        values: ["/srv/decoy/"]
      matchActions:
      - action: NoPost
      - action: Signal
        argSig: 15
`);
  const byVim = policy.evaluate(fileEvent(DECOY, 'write', { process: { binary: '/usr/bin/vim' } }));
  assert.equal(byVim?.selector, 0, 'vim matches both of the first two selectors: the first wins');
  assert.deepEqual(byVim?.actions, [{ action: 'Sigkill' }, { action: 'Post', rateLimitScope: 'thread' }]);
  const writeByCat = policy.evaluate(fileEvent(DECOY, 'write'));
  assert.equal(writeByCat?.selector, 1);
  const readByCat = policy.evaluate(fileEvent(DECOY, 'read'));
  assert.equal(readByCat?.selector, 2, 'a read by cat fails selector 1 on the mask and falls to 2');
  assert.deepEqual(readByCat?.actions, [{ action: 'Signal', argSig: 15 }], 'NoPost removes the Post');
  assert.equal(policy.evaluate(fileEvent('/srv/elsewhere', 'write')), null);
});

function binaryPolicy(operator: string, values: string[], followChildren = false) {
  return permissionPolicy(`${equalPathSelector(DECOY)}      matchBinaries:
      - operator: ${operator}
        values: ${JSON.stringify(values)}
        followChildren: ${followChildren}
`);
}

test('matchBinaries NotIn keeps an allowed binary silent while others fire', () => {
  const policy = binaryPolicy('NotIn', ['/usr/sbin/backup', '/usr/bin/rsync']);
  assert.equal(policy.evaluate(fileEvent(DECOY, 'read', { process: { binary: '/usr/sbin/backup' } })), null);
  assert.equal(policy.evaluate(fileEvent(DECOY, 'read', { process: { binary: '/usr/bin/rsync' } })), null);
  assert.notEqual(policy.evaluate(fileEvent(DECOY, 'read', { process: { binary: '/usr/bin/cat' } })), null);
  assert.notEqual(policy.evaluate(fileEvent(DECOY, 'read', { process: { binary: '/usr/bin/python3' } })), null);
});

test('matchBinaries In/NotIn compare the running file as well as its name', () => {
  const files: Record<string, { dev: number; ino: number }> = { '/usr/bin/cat': { dev: 8, ino: 100 }, '/usr/bin/head': { dev: 8, ino: 200 } };
  const fileIdentity = (path: string) => files[path] ?? null;
  const running = (ino: number) => fileEvent(DECOY, 'read', { process: { binary: '/usr/bin/cat', binaryFile: { dev: 8, ino, pathMatches: ino === 100 } } });
  const notIn = binaryPolicy('NotIn', ['/usr/bin/cat']);
  assert.equal(notIn.evaluate(running(100), { fileIdentity }), null, 'the real cat stays allowed');
  // head bind-mounted over /usr/bin/cat: the name is cat's, the file is head's.
  assert.notEqual(notIn.evaluate(running(200), { fileIdentity }), null);
  assert.equal(binaryPolicy('In', ['/usr/bin/cat']).evaluate(running(200), { fileIdentity }), null);
  // Without identities (an evaluator without the lookup, or a process already gone) names decide.
  assert.equal(notIn.evaluate(running(200)), null);
  assert.equal(notIn.evaluate(fileEvent(DECOY, 'read'), { fileIdentity }), null);
});

test('matchBinaries string operators and followChildren', () => {
  const cat = { process: { binary: '/usr/bin/cat' } };
  const cases: [string, string[], boolean][] = [
    ['In', ['/usr/bin/cat'], true],
    ['In', ['/bin/cat'], false],
    ['Prefix', ['/usr/bin/'], true],
    ['NotPrefix', ['/usr/bin/'], false],
    ['Postfix', ['/cat'], true],
    ['NotPostfix', ['/cat'], false],
    ['notin', ['/usr/bin/vim'], true],
  ];
  for (const [operator, values, expected] of cases) {
    assert.equal(binaryPolicy(operator, values).evaluate(fileEvent(DECOY, 'read', cat)) !== null, expected, `${operator} ${values}`);
  }
  // A shell started by sshd reads the decoy: followChildren looks at the parent too.
  const fromSsh = fileEvent(DECOY, 'read', { process: { binary: '/usr/bin/cat' }, parent: { binary: '/usr/sbin/sshd' } });
  assert.notEqual(binaryPolicy('In', ['/usr/sbin/sshd'], true).evaluate(fromSsh), null);
  assert.equal(binaryPolicy('In', ['/usr/sbin/sshd'], false).evaluate(fromSsh), null);
  assert.equal(binaryPolicy('NotIn', ['/usr/sbin/sshd'], true).evaluate(fromSsh), null);
});

function pidPolicy(operator: string, values: number[], flags = '') {
  return permissionPolicy(`${equalPathSelector(DECOY)}      matchPIDs:
      - operator: ${operator}
        values: ${JSON.stringify(values)}${flags}
`);
}

test('matchPIDs In and NotIn on the host pid', () => {
  const event = fileEvent(DECOY, 'read', { process: { pid: 777 }, parent: { pid: 500 } });
  assert.notEqual(pidPolicy('In', [1, 777]).evaluate(event), null);
  assert.equal(pidPolicy('In', [1, 2]).evaluate(event), null);
  assert.equal(pidPolicy('NotIn', [777]).evaluate(event), null);
  assert.notEqual(pidPolicy('NotIn', [1]).evaluate(event), null);
});

test('matchPIDs followForks also takes the parent pid', () => {
  const event = fileEvent(DECOY, 'read', { process: { pid: 777 }, parent: { pid: 500 } });
  assert.equal(pidPolicy('In', [500]).evaluate(event), null);
  assert.notEqual(pidPolicy('In', [500], '\n        followForks: true').evaluate(event), null);
  assert.equal(pidPolicy('NotIn', [500], '\n        followForks: true').evaluate(event), null);
});

test('matchPIDs isNamespacePID: host pids on the host, unknown inside a container', () => {
  const flags = '\n        isNamespacePID: true';
  const onHost = fileEvent(DECOY, 'read', { process: { pid: 1 } });
  assert.notEqual(pidPolicy('In', [1], flags).evaluate(onHost), null);
  const inContainer = fileEvent(DECOY, 'read', { process: { pid: 9000, containerId: 'abc123' } });
  assert.equal(pidPolicy('In', [9000], flags).evaluate(inContainer), null);
  assert.notEqual(pidPolicy('NotIn', [1], flags).evaluate(inContainer), null);
});

test('monitor mode drops Sigkill, Override and Signal but keeps the rest', () => {
  const selectors = `${equalPathSelector(DECOY)}      matchActions:
      - action: Sigkill
      - action: Override
        argError: -1
      - action: GetUrl
        argUrl: https://canary.example/t/1
`;
  const monitor = permissionPolicy(
    selectors,
    `
  options:
  - name: policy-mode
    value: monitor`,
  );
  const match = monitor.evaluate(fileEvent(DECOY, 'read'));
  assert.deepEqual(match?.actions, [
    { action: 'GetUrl', argUrl: 'https://canary.example/t/1' },
    { action: 'Post', rateLimitScope: 'thread' },
  ]);
  assert.deepEqual(match?.suppressed, [{ action: 'Sigkill' }, { action: 'Override', argError: -1 }]);
  const enforce = permissionPolicy(selectors);
  assert.deepEqual(
    enforce.evaluate(fileEvent(DECOY, 'read'))?.actions.map((a) => a.action),
    ['Sigkill', 'Override', 'GetUrl', 'Post'],
  );
});

test('a file reached by another name matches through the names the agent resolved by inode', () => {
  const policy = permissionPolicy(`${equalPathSelector(DECOY)}`);
  const viaHardLink = fileEvent('/tmp/innocent-link', 'read');
  assert.equal(policy.evaluate(viaHardLink), null, 'by path alone the link is another file');
  assert.notEqual(policy.evaluate(viaHardLink, { paths: [DECOY] }), null);
  const match = policy.evaluate(viaHardLink, { paths: [DECOY] });
  assert.equal(match?.args[0]?.path, '/tmp/innocent-link', 'the export shows the path actually used');
});

test('a selector without a path filter only sees the files its policy watches', () => {
  const policy = permissionPolicy(`${equalPathSelector(DECOY)}      matchBinaries:
      - operator: In
        values: ["/usr/bin/vim"]
    - matchBinaries:
      - operator: In
        values: ["/usr/bin/cat"]
`);
  assert.equal(policy.evaluate(fileEvent(DECOY, 'read'))?.selector, 1);
  // Another policy's decoy is marked too; this policy must not claim it.
  assert.equal(policy.evaluate(fileEvent('/srv/other-policy/decoy', 'read')), null);
});

test('hooks see only the accesses they stand for', () => {
  const policy = onePolicy(`apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: hooks
spec:
  kprobes:
  - call: security_file_truncate
    args:
    - index: 0
    selectors:
${equalPathSelector(DECOY)}  lsmhooks:
  - hook: file_open
    args:
    - index: 0
      type: file
    selectors:
${equalPathSelector(DECOY)}      matchActions:
      - action: Override
        argError: -13
`);
  assert.deepEqual(policy.watches, [{ path: DECOY, match: 'exact', accesses: ['open', 'truncate'] }]);
  const open = policy.evaluate(fileEvent(DECOY, 'open'));
  assert.deepEqual([open?.hook, open?.hookKind, open?.hookIndex], ['file_open', 'lsmhook', 1]);
  assert.deepEqual(open?.actions[0], { action: 'Override', argError: -13 });
  assert.equal(policy.evaluate(fileEvent(DECOY, 'truncate'))?.hook, 'security_file_truncate');
  assert.equal(policy.evaluate(fileEvent(DECOY, 'read')), null);
  assert.equal(policy.evaluate(fileEvent(DECOY, 'write')), null);
});
