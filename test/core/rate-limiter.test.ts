import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedRateLimiter } from '../../src/core/rate-limiter.js';

describe('keyed rate limiter', () => {
  it('allows a burst, then the rate, per key', () => {
    let now = 0;
    const limiter = new KeyedRateLimiter({ ratePerSecond: 2, burst: 3 }, 100, () => now);
    const takes = (key: string, n: number) => Array.from({ length: n }, () => limiter.take(key)).filter(Boolean).length;
    assert.equal(takes('a', 10), 3);
    assert.equal(takes('b', 10), 3, 'another key has its own bucket');
    now += 1000;
    assert.equal(takes('a', 10), 2, 'refilled at the rate');
    now += 60_000;
    assert.equal(takes('a', 10), 3, 'never beyond the burst');
  });

  it('forgets the least recently used key when full, and that key starts with a full bucket', () => {
    const now = 0;
    const limiter = new KeyedRateLimiter({ ratePerSecond: 1, burst: 1 }, 2, () => now);
    assert.equal(limiter.take('a'), true);
    assert.equal(limiter.take('b'), true);
    assert.equal(limiter.take('a'), false, 'a is still tracked and empty');
    assert.equal(limiter.take('c'), true, 'c pushes out b, the least recently used');
    assert.equal(limiter.take('a'), false, 'a was kept');
    assert.equal(limiter.take('b'), true, 'b was forgotten');
  });
});
