import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentDurations } from '../../src/store/recent-durations.js';

describe('recent durations', () => {
  it('has no middle and draws 0 before anything was seen', () => {
    const recent = new RecentDurations();
    assert.equal(recent.median(), undefined);
    assert.equal(recent.sample(), 0);
  });

  it('gives the middle of an odd count and the mean of the two middles of an even count, whatever the order seen', () => {
    const recent = new RecentDurations();
    for (const ms of [9, 1, 5]) recent.add(ms);
    assert.equal(recent.median(), 5);
    recent.add(7);
    assert.equal(recent.median(), 6);
  });

  it('keeps only the last few: older durations leave the middle and the draws', () => {
    const recent = new RecentDurations(3);
    for (const ms of [100, 100, 100, 1, 2, 3]) recent.add(ms);
    assert.equal(recent.median(), 2);
    for (let i = 0; i < 200; i++) assert.ok([1, 2, 3].includes(recent.sample()));
  });
});
