/**
 * 2,000 reads of a decoy in a row, by one process, with the real agent watching it and reporting
 * to a real Tripline server: every one is reported and counted. The time the reads took is printed
 * (bench/accessor-cost holds the speed targets; tests assert no timings).
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';
import { accessorPid, startWatchedDecoy, type WatchedDecoy } from '../agent/support/watched-decoy.js';

const READS = 2000;

describe('tripline agent: a storm of reads on a decoy', () => {
  let dir: string;
  let setting: WatchedDecoy;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-storm-'));
    // Every hit kept in full, so the count below is of stored hits, not of a sample.
    setting = await startWatchedDecoy(dir, 'read storm', { threshold: 1_000_000, sampleEvery: 1 });
  });

  after(async () => {
    await setting?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`counts all ${READS} reads of one process`, async (t) => {
    const buffer = Buffer.alloc(4096);
    // Synchronous on purpose: the agent is another process, and this is how a tight loop reads.
    const started = performance.now();
    for (let i = 0; i < READS; i++) {
      const fd = openSync(setting.decoy, 'r');
      readSync(fd, buffer, 0, buffer.length, 0);
      closeSync(fd);
    }
    t.diagnostic(`${READS} open + pread + close of the decoy took ${(performance.now() - started).toFixed(0)} ms`);
    const mine = (access: string) => setting.committed.filter((c) => accessorPid(c.hit) === process.pid && accessOf(c.hit) === access).length;
    // The planted policy watches opens as well as reads: each access is one of each.
    await waitFor(`${READS} open and ${READS} read hits`, () => mine('read') >= READS && mine('open') >= READS, 120_000);
    assert.equal(mine('read'), READS);
    assert.equal(mine('open'), READS);
  });
});

function accessOf(hit: { detail: unknown }): string | undefined {
  return (hit.detail as { access?: { access: string } }).access?.access;
}
