import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePolicy } from '../../src/policy/generate.js';
import { loadPolicyText } from '../../src/policy/load.js';
import { TOKEN_LABEL } from '../../src/policy/model.js';
import { fileEvent } from './helpers.js';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz';
const DECOY = '/home/ops/.ssh/id_ed25519';

function roundTrip(yaml: string) {
  const result = loadPolicyText('generated.yaml', yaml);
  assert.deepEqual(
    result.errors.map((e) => e.format()),
    [],
  );
  assert.deepEqual(
    result.warnings.map((e) => e.format()),
    [],
  );
  assert.equal(result.policies.length, 1);
  return result.policies[0]!;
}

test('a web-bug token gets the tutorial shape with the token URL as argUrl', () => {
  const url = `http://127.0.0.1:8080/t/${TOKEN}`;
  const yaml = generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'write', tokenUrl: url });
  const policy = roundTrip(yaml);
  assert.equal(policy.name, `tripline-${TOKEN}`);
  assert.equal(policy.labels[TOKEN_LABEL], TOKEN);
  const [hook] = policy.hooks;
  assert.equal(hook?.call, 'security_file_permission');
  assert.equal(hook.syscall, false);
  assert.deepEqual(hook.args, [
    { index: 0, type: 'file' },
    { index: 1, type: 'int' },
  ]);
  assert.deepEqual(
    hook.selectors[0]?.matchArgs.map((f) => [f.index, f.operator, f.values]),
    [
      [0, 'Equal', [DECOY]],
      [1, 'Equal', ['2']],
    ],
  );
  assert.deepEqual(hook.selectors[0]?.matchActions, [{ action: 'GetUrl', argUrl: url }]);
  assert.notEqual(policy.evaluate(fileEvent(DECOY, 'write')), null);
  assert.equal(policy.evaluate(fileEvent(DECOY, 'read')), null);
  // The tutorial's own spelling of the mask value is kept: quoted, so it stays a string.
  assert.match(yaml, /values:\n\s+- "2"/);
});

test('read and any map to Equal 4 and Mask 6, any also hooks open, mmap and truncate; a file token posts by default', () => {
  const read = roundTrip(generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'read' }));
  assert.deepEqual(read.hooks[0]?.selectors[0]?.matchArgs[1]?.values, ['4']);
  assert.deepEqual(read.hooks[0]?.selectors[0]?.matchActions, [{ action: 'Post', rateLimitScope: 'thread' }]);
  assert.deepEqual(read.watches, [{ path: DECOY, match: 'exact', accesses: ['read'] }]);

  const any = roundTrip(generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'any' }));
  assert.deepEqual(any.hooks[0]?.selectors[0]?.matchArgs[1]?.operator, 'Mask');
  assert.deepEqual(any.hooks[0]?.selectors[0]?.matchArgs[1]?.values, ['6']);
  assert.deepEqual(
    any.hooks.map((h) => h.call),
    ['security_file_permission', 'security_file_open', 'security_mmap_file', 'security_path_truncate'],
  );
  assert.deepEqual(any.watches, [{ path: DECOY, match: 'exact', accesses: ['open', 'read', 'write', 'truncate', 'mmap'] }]);

  const write = roundTrip(generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'write' }));
  assert.deepEqual(
    write.hooks.map((h) => h.call),
    ['security_file_permission'],
  );
  assert.deepEqual(write.watches[0]?.accesses, ['write']);
});

test('every action round-trips, and monitor mode is written as a policy option', () => {
  const yaml = generatePolicy({
    tokenId: TOKEN,
    path: '/srv/odd path/#not-a-comment: "quoted"',
    access: 'any',
    actions: ['post', 'geturl', 'dnslookup', 'sigkill', 'override', 'signal'],
    tokenUrl: 'https://canary.example/t/x',
    tokenHostname: `${TOKEN}.canary.example`,
    mode: 'monitor',
    name: 'decoy-odd',
  });
  const policy = roundTrip(yaml);
  assert.equal(policy.name, 'decoy-odd');
  assert.equal(policy.mode, 'monitor');
  assert.deepEqual(policy.watches[0]?.path, '/srv/odd path/#not-a-comment: "quoted"');
  assert.deepEqual(policy.hooks[0]?.selectors[0]?.matchActions, [
    { action: 'Post', rateLimitScope: 'thread' },
    { action: 'GetUrl', argUrl: 'https://canary.example/t/x' },
    { action: 'DnsLookup', argFqdn: `${TOKEN}.canary.example` },
    { action: 'Sigkill' },
    { action: 'Override', argError: -1 },
    { action: 'Signal', argSig: 9 },
  ]);
});

test('a path with a newline stays one path and the header comment stays a comment', () => {
  const policy = roundTrip(generatePolicy({ tokenId: TOKEN, path: '/srv/a\nb', access: 'read' }));
  assert.equal(policy.watches[0]?.path, '/srv/a\nb');
});

test('bad input is refused', () => {
  assert.throws(() => generatePolicy({ tokenId: TOKEN, path: 'relative/key', access: 'read' }), /absolute/);
  assert.throws(() => generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'read', actions: ['geturl'] }), /token URL/);
  assert.throws(() => generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'read', actions: ['dnslookup'] }), /hostname/);
  assert.throws(() => generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'sometimes' as 'read' }), /read, write or any/);
  assert.throws(() => generatePolicy({ tokenId: TOKEN, path: DECOY, access: 'read', name: 'Bad Name' }), /invalid policy name/);
});
