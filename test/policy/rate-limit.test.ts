import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostRateLimiter } from '../../src/policy/rate-limit.js';
import { parseRateLimit } from '../../src/policy/read-actions.js';
import { equalPathSelector, fileEvent, permissionPolicy } from './helpers.js';

const DECOY = '/srv/decoy/key';

function limitedPolicy(rateLimit: string, scope?: string) {
  return permissionPolicy(`${equalPathSelector(DECOY)}      matchActions:
      - action: Post
        rateLimit: "${rateLimit}"${scope ? `\n        rateLimitScope: ${scope}` : ''}
`);
}

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('rateLimit parses seconds, minutes and hours', () => {
  assert.equal(parseRateLimit('5'), 5000);
  assert.equal(parseRateLimit('30s'), 30_000);
  assert.equal(parseRateLimit('1m'), 60_000);
  assert.equal(parseRateLimit('2H'), 7_200_000);
  assert.equal(parseRateLimit('m'), undefined);
  assert.equal(parseRateLimit('1.5m'), undefined);
});

test('a rate-limited Post fires once per window per thread', () => {
  const policy = limitedPolicy('1m');
  const time = clock();
  const limiter = new PostRateLimiter({ now: time.now });
  const first = fileEvent(DECOY, 'read', { process: { pid: 10, tid: 10 } });
  const allow = (event = first) => limiter.allow(policy.evaluate(event)!, event);
  assert.equal(allow(), true);
  assert.equal(allow(), false);
  time.advance(59_999);
  assert.equal(allow(), false);
  // Another thread of the same process has its own window under the default thread scope.
  assert.equal(allow(fileEvent(DECOY, 'read', { process: { pid: 10, tid: 11 } })), true);
  // A different access is a different argument set.
  assert.equal(allow(fileEvent(DECOY, 'write', { process: { pid: 10, tid: 10 } })), true);
  time.advance(1);
  assert.equal(allow(), true, 'the window has passed');
});

test('process and global scopes widen the key', () => {
  const time = clock();
  const processScope = limitedPolicy('10s', 'process');
  const limiter = new PostRateLimiter({ now: time.now });
  const t1 = fileEvent(DECOY, 'read', { process: { pid: 10, tid: 10 } });
  const t2 = fileEvent(DECOY, 'read', { process: { pid: 10, tid: 11 } });
  const other = fileEvent(DECOY, 'read', { process: { pid: 20, tid: 20 } });
  assert.equal(limiter.allow(processScope.evaluate(t1)!, t1), true);
  assert.equal(limiter.allow(processScope.evaluate(t2)!, t2), false);
  assert.equal(limiter.allow(processScope.evaluate(other)!, other), true);

  const globalScope = limitedPolicy('10s', 'global');
  const global = new PostRateLimiter({ now: time.now });
  assert.equal(global.allow(globalScope.evaluate(t1)!, t1), true);
  assert.equal(global.allow(globalScope.evaluate(other)!, other), false);
});

test('a Post without rateLimit, or no Post at all, is never held back', () => {
  const limiter = new PostRateLimiter({ now: () => 0 });
  const plain = permissionPolicy(`${equalPathSelector(DECOY)}`);
  const event = fileEvent(DECOY, 'read');
  const match = plain.evaluate(event)!;
  assert.equal(limiter.allow(match, event), true);
  assert.equal(limiter.allow(match, event), true);
  assert.equal(limiter.size, 0);
});

test('the limiter forgets the oldest keys beyond its bound', () => {
  const policy = limitedPolicy('1h');
  const limiter = new PostRateLimiter({ now: () => 0, maxEntries: 2 });
  const byPid = (pid: number) => fileEvent(DECOY, 'read', { process: { pid } });
  for (const pid of [1, 2, 3]) assert.equal(limiter.allow(policy.evaluate(byPid(pid))!, byPid(pid)), true);
  assert.equal(limiter.size, 2);
  assert.equal(limiter.allow(policy.evaluate(byPid(3))!, byPid(3)), false, 'recent keys are kept');
  assert.equal(limiter.allow(policy.evaluate(byPid(1))!, byPid(1)), true, 'the oldest was forgotten');
});
