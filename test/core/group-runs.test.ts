import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupRuns, samePrefix } from '../../src/core/group-runs.js';

describe('grouping runs of items', () => {
  const key = (item: { k: string }) => item.k;
  const sameK = (a: { k: string }, b: { k: string }) => a.k === b.k;

  test('groups as a Map of arrays would, in first-seen order, whether equal keys are adjacent or not', () => {
    const items = ['a', 'a', 'b', 'a', 'c', 'c', 'b'].map((k, i) => ({ k, i }));
    const groups = groupRuns(items, key, sameK);
    assert.deepEqual([...groups.keys()], ['a', 'b', 'c']);
    assert.deepEqual(
      groups.get('a')!.map((x) => x.i),
      [0, 1, 3],
    );
    assert.deepEqual(
      groups.get('b')!.map((x) => x.i),
      [2, 6],
    );
    assert.deepEqual(
      groups.get('c')!.map((x) => x.i),
      [4, 5],
    );
  });

  test('makes a key only where an item differs from the one before it', () => {
    let made = 0;
    const items = ['a', 'a', 'a', 'b', 'b', 'a'].map((k) => ({ k }));
    const counted = (item: { k: string }) => {
      made += 1;
      return item.k;
    };
    groupRuns(items, counted, sameK);
    assert.equal(made, 3);
  });

  test('a comparison that never says yes still groups by key', () => {
    const groups = groupRuns(
      ['x', 'y', 'x'],
      (s) => s,
      () => false,
    );
    assert.deepEqual(
      [...groups.entries()],
      [
        ['x', ['x', 'x']],
        ['y', ['y']],
      ],
    );
  });

  test('no items, no groups', () => {
    assert.equal(groupRuns([], key, sameK).size, 0);
  });
});

describe('comparing string prefixes', () => {
  test('agrees with comparing the slices', () => {
    const samples = [
      '2026-11-30T01:17:32.000Z',
      '2026-11-30T01:17:59.999Z',
      '2026-11-30T01:18:00.000Z',
      '2026-11-30T02:17:32.000Z',
      '2026-11-30T01:1',
      '',
      '2026',
    ];
    for (const a of samples)
      for (const b of samples)
        for (const length of [0, 4, 13, 16, 30]) assert.equal(samePrefix(a, b, length), a.slice(0, length) === b.slice(0, length), `${a} ${b} ${length}`);
  });
});
