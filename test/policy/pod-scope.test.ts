/**
 * Tetragon's pod scoping as the evaluator applies it: a TracingPolicyNamespaced matches processes
 * in pods of its namespace, podSelector and containerSelector narrow with Kubernetes label
 * selector semantics, and a host process never matches a pod-scoped policy, except on a planted container decoy copy,
 * where the copy's pod decides.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileAccessEvent, PodInfo } from '../../src/core/file-event.js';
import { loadPolicyText } from '../../src/policy/index.js';
import { selectorMatches } from '../../src/policy/pod-scope.js';
import { permissionPolicyYaml } from './helpers.js';

const SELECTOR = `    - matchArgs:
      - index: 0
        operator: Equal
        values: ["/etc/passwd"]
`;

function policy(kind: string, extraMeta: string, extraSpec: string): string {
  return permissionPolicyYaml(SELECTOR, extraSpec, `scoped${extraMeta}`).replace('kind: TracingPolicy', `kind: ${kind}`);
}

function pod(namespace: string, labels: Record<string, string>, container = 'web'): PodInfo {
  return {
    namespace,
    name: `${namespace}-pod`,
    uid: '8a4c6a1e-0000-4000-8000-000000000001',
    labels,
    container: { id: 'c'.repeat(64), name: container, image: 'busybox' },
  };
}

function event(p: PodInfo | undefined): FileAccessEvent {
  const process = {
    pid: 42,
    uid: 0,
    auid: null,
    binary: '/bin/sh',
    arguments: [],
    cwd: '/',
    startTime: new Date(0).toISOString(),
    execId: 'x',
    containerId: p ? p.container.id : null,
    cgroup: '',
    ...(p ? { pod: p } : {}),
  };
  return { time: new Date().toISOString(), access: 'write', path: '/etc/passwd', dev: 1, ino: 2, permission: true, process, parent: null };
}

function matches(text: string, p: PodInfo | undefined): boolean {
  const loaded = loadPolicyText('p.yaml', text);
  assert.deepEqual(
    loaded.errors.map((e) => e.format()),
    [],
  );
  return loaded.policies[0]!.evaluate(event(p), { paths: ['/etc/passwd'] }) !== null;
}

test('a TracingPolicyNamespaced fires for its namespace only, never for a host process', () => {
  const text = policy('TracingPolicyNamespaced', '\n  namespace: shop', '');
  assert.equal(matches(text, pod('shop', {})), true);
  assert.equal(matches(text, pod('payments', {})), false);
  assert.equal(matches(text, undefined), false);
});

test('podSelector matchLabels and matchExpressions select by pod labels', () => {
  const text = policy(
    'TracingPolicy',
    '',
    `
  podSelector:
    matchLabels:
      app: web
    matchExpressions:
    - key: tier
      operator: NotIn
      values: [batch]`,
  );
  assert.equal(matches(text, pod('shop', { app: 'web' })), true);
  assert.equal(matches(text, pod('shop', { app: 'web', tier: 'batch' })), false);
  assert.equal(matches(text, pod('shop', { app: 'db' })), false);
  assert.equal(matches(text, undefined), false);
});

test('containerSelector matches on the container name', () => {
  const text = policy('TracingPolicy', '', '\n  containerSelector:\n    matchExpressions:\n    - key: name\n      operator: In\n      values: [web]');
  assert.equal(matches(text, pod('shop', {}, 'web')), true);
  assert.equal(matches(text, pod('shop', {}, 'sidecar')), false);
});

test('a policy without pod scope applies to host processes and to every pod', () => {
  const text = policy('TracingPolicy', '', '');
  assert.equal(matches(text, undefined), true);
  assert.equal(matches(text, pod('shop', {})), true);
});

test('label selector operators: Exists, DoesNotExist, and {} selects everything', () => {
  assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [] }, {}), true);
  assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [{ key: 'a', operator: 'Exists', values: [] }] }, { a: '' }), true);
  assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: [] }] }, { a: '1' }), false);
});

test('an unknown selector operator is an error at that field', () => {
  const loaded = loadPolicyText(
    'p.yaml',
    policy('TracingPolicy', '', '\n  podSelector:\n    matchExpressions:\n    - key: app\n      operator: Like\n      values: [web]'),
  );
  assert.equal(loaded.policies.length, 0);
  assert.match(loaded.errors[0]!.format(), /unknown operator "Like"/);
});

test("a host process touching a planted decoy copy is judged by the copy's pod; a process in another pod by its own", () => {
  const text = policy('TracingPolicy', '', '\n  podSelector:\n    matchLabels:\n      app: web');
  const loaded = loadPolicyText('p.yaml', text).policies[0]!;
  const copyOf = (labels: Record<string, string>) => ({ paths: ['/etc/passwd'], copyPod: pod('shop', labels) });
  assert.notEqual(loaded.evaluate(event(undefined), copyOf({ app: 'web' })), null);
  assert.equal(loaded.evaluate(event(undefined), copyOf({ app: 'db' })), null);
  // A container process with its own pod: its pod decides, whatever pod the copy is in.
  assert.equal(loaded.evaluate(event(pod('payments', { app: 'db' })), copyOf({ app: 'web' })), null);
  // A container process whose pod is unknown is not taken for a host process.
  const unattributed = event(undefined);
  unattributed.process.containerId = 'c'.repeat(64);
  assert.equal(loaded.evaluate(unattributed, copyOf({ app: 'web' })), null);
});
