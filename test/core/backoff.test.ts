import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff, retryDelayMs, sleep } from '../../src/core/backoff.js';

describe('backoff with jitter', () => {
  test('retry delays double up to the cap, with jitter between half and all of the step', () => {
    assert.equal(
      retryDelayMs(1, 1000, 60_000, () => 0),
      500,
    );
    assert.equal(
      retryDelayMs(1, 1000, 60_000, () => 1),
      1000,
    );
    assert.equal(
      retryDelayMs(4, 1000, 60_000, () => 1),
      8000,
    );
    assert.equal(
      retryDelayMs(30, 1000, 60_000, () => 1),
      60_000,
    );
    assert.equal(
      retryDelayMs(1000, 1000, 60_000, () => 0),
      30_000,
    );
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(3, 1000, 60_000);
      assert.ok(delay >= 2000 && delay <= 4000);
    }
  });

  test('a Backoff follows the same schedule, one failure per call, until reset', () => {
    const backoff = new Backoff(1000, 60_000, () => 1);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [1000, 2000, 4000]);
    assert.equal(backoff.attempts, 3);
    backoff.reset();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.next(), 1000);
    const half = new Backoff(1000, 60_000, () => 0);
    half.next();
    assert.equal(
      half.next(),
      retryDelayMs(2, 1000, 60_000, () => 0),
    );
  });

  test('sleep resolves at once when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(3_600_000, controller.signal);
    controller.abort();
    await pending;
    await sleep(3_600_000, AbortSignal.abort());
  });
});
