import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { generatePolicy, loadPolicyText, namedTokenIds } from '../../src/policy/index.js';

function load(yaml: string) {
  const result = loadPolicyText('p.yaml', yaml);
  assert.deepEqual(result.errors, []);
  return result.policies[0]!;
}

test('a generated decoy policy names its file token', () => {
  const file = newTokenId();
  assert.deepEqual(namedTokenIds(load(generatePolicy({ tokenId: file, path: '/root/.aws/credentials', access: 'read' }))), [file]);
});

test('a seed-style GetUrl policy names the web bug in its URL too, found as the trigger finds it', () => {
  const file = newTokenId();
  const webBug = newTokenId();
  const url = `https://canary.example.com/assets/${webBug.toUpperCase()}/logo.png?from=decoy`;
  const policy = load(generatePolicy({ tokenId: file, path: '/etc/shadow.bak', access: 'any', tokenUrl: url }));
  assert.deepEqual(namedTokenIds(policy), [file, webBug]);
});

test('an unlabelled policy without GetUrl names no token', () => {
  const policy = load(generatePolicy({ tokenId: newTokenId(), path: '/srv/x', access: 'read' }).replace(/tripline\/token: \w+/, 'team: infra'));
  assert.deepEqual(policy.labels, { team: 'infra' });
  assert.deepEqual(namedTokenIds(policy), []);
});
