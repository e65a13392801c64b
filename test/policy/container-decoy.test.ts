/**
 * The file `decoy plant` writes for containers: a ContainerDecoy document (what to plant, where)
 * and the TracingPolicy scoped to the same pods. It loads as one decoy and one policy, the policy
 * watches no host file, and bad decoy documents are refused with the field at fault.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodInfo } from '../../src/core/file-event.js';
import { decoyTargets, generateContainerDecoy, imageMatches, loadPolicyText, PolicySet } from '../../src/policy/index.js';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz';

function pod(namespace: string, labels: Record<string, string>, container = 'web', image = 'registry.example/shop/web:1.2'): PodInfo {
  return { namespace, name: 'p', uid: 'u', labels, container: { id: 'c'.repeat(64), name: container, image } };
}

test('the generated file loads as one decoy and one pod-scoped policy that watches no host file', () => {
  const text = generateContainerDecoy({
    tokenId: TOKEN,
    path: '/root/.ssh/id_ed25519',
    access: 'any',
    content: 'KEY\n',
    namespace: 'shop',
    podLabels: { app: 'web' },
    container: 'web',
    images: ['registry.example/shop/*'],
  });
  const loaded = loadPolicyText('tripline-x.yaml', text);
  assert.deepEqual(
    loaded.errors.map((e) => e.format()),
    [],
  );
  const [decoy] = loaded.decoys!;
  assert.deepEqual(decoy!.file, { path: '/root/.ssh/id_ed25519', content: 'KEY\n', mode: 0o600, uid: 0, gid: 0 });
  assert.equal(decoy!.tokenId, TOKEN);
  const [policy] = loaded.policies;
  assert.equal(policy!.kind, 'TracingPolicyNamespaced');
  assert.deepEqual(policy!.scope, {
    namespace: 'shop',
    podSelector: { matchLabels: { app: 'web' }, matchExpressions: [] },
    containerSelector: { matchLabels: { name: 'web' }, matchExpressions: [] },
  });
  const set = new PolicySet();
  set.update(loaded);
  assert.deepEqual(set.watches(), []);
  assert.equal(decoyTargets(decoy!, pod('shop', { app: 'web' })), true);
  assert.equal(decoyTargets(decoy!, pod('shop', { app: 'db' })), false);
  assert.equal(decoyTargets(decoy!, pod('shop', { app: 'web' }, 'sidecar')), false);
  assert.equal(decoyTargets(decoy!, pod('shop', { app: 'web' }, 'web', 'docker.io/library/nginx')), false);
});

test('an image-only decoy still watches no host file', () => {
  const loaded = loadPolicyText(
    'f.yaml',
    generateContainerDecoy({ tokenId: TOKEN, path: '/srv/.env', access: 'read', content: 'X', podLabels: {}, images: ['*nginx*'] }),
  );
  assert.equal(loaded.policies[0]!.kind, 'TracingPolicy');
  const set = new PolicySet();
  set.update(loaded);
  assert.deepEqual(set.watches(), []);
});

test('image patterns: "*" matches any run of characters, the rest is literal', () => {
  assert.equal(imageMatches([], 'anything'), true);
  assert.equal(imageMatches(['docker.io/library/nginx:*'], 'docker.io/library/nginx:1.27'), true);
  assert.equal(imageMatches(['docker.io/library/nginx:*'], 'docker.io/library/nginxa'), false);
  assert.equal(imageMatches(['a.b'], 'aXb'), false);
});

function decoyDoc(file: string, match = '    podSelector:\n      matchLabels:\n        app: web\n'): string {
  return `apiVersion: tripline.dev/v1alpha1
kind: ContainerDecoy
metadata:
  name: d
spec:
  file:
${file}  match:
${match}`;
}

test('bad decoy documents are refused at the field at fault', () => {
  const cases: [string, string, RegExp][] = [
    [decoyDoc('    path: /a/../etc/shadow\n    content: x\n'), 'spec.file.path', /without "\." or "\.\." components/],
    [decoyDoc('    path: relative\n    content: x\n'), 'spec.file.path', /absolute path/],
    [decoyDoc('    path: /a\n    content: x\n    mode: "999"\n'), 'spec.file.mode', /octal mode/],
    [decoyDoc('    path: /a\n    content: x\n', '    images: []\n'), 'spec.match', /at least one of/],
    [decoyDoc('    path: /a\n'), 'spec.file.content', /is required/],
  ];
  for (const [text, field, message] of cases) {
    const loaded = loadPolicyText('d.yaml', text);
    assert.deepEqual(loaded.decoys, []);
    const error = loaded.errors.find((e) => e.field === field);
    assert.ok(error, `${field}: ${loaded.errors.map((e) => e.format()).join('; ')}`);
    assert.match(error.format(), message);
  }
});
