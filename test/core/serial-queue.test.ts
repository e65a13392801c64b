import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedSerialQueue, SerialQueue } from '../../src/core/serial-queue.js';

/** A task that records when it starts and ends, and finishes only when released. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    release: () => release(),
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
  };
}

describe('serial queue', () => {
  test('runs tasks one at a time, in the order given', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const ra = queue.run(a.task);
    const rb = queue.run(b.task);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['start a'], 'b waits while a runs');
    b.release();
    a.release();
    assert.deepEqual(await Promise.all([ra, rb]), ['a', 'b']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
  });

  test('a failed task rejects its own promise and the next one still runs', async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error('boom');
    });
    const next = queue.run(async () => 'after');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'after');
  });
});

describe('keyed serial queue', () => {
  test('serialises one key, runs other keys alongside, and forgets drained keys', async () => {
    const queue = new KeyedSerialQueue<string>();
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    const runs = [queue.run('a', a1.task), queue.run('a', a2.task), queue.run('b', b1.task)];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['start a1', 'start b1'], 'a2 waits for a1; b1 does not wait for anything');
    assert.equal(queue.activeKeys, 2);
    a1.release();
    a2.release();
    b1.release();
    assert.deepEqual(await Promise.all(runs), ['a1', 'a2', 'b1']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(queue.activeKeys, 0);
    await assert.rejects(
      queue.run('a', async () => Promise.reject(new Error('no'))),
      /no/,
    );
    assert.equal(await queue.run('a', async () => 'again'), 'again');
  });
});
