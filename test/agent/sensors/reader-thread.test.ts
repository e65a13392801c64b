/**
 * The access group is read on the addon's own thread (root, real kernel): the reads and opens the
 * addon answers by itself are answered while JavaScript's thread is blocked, and every one of them
 * reaches JavaScript afterwards, in the order the kernel queued them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openMode } from '../../../src/agent/sensors/access-kind.js';
import type { AccessRequest } from '../../../src/agent/sensors/access-request.js';
import { waitFor } from '../../support/wait.js';
import { type WatchedScratch, watchedScratch } from './helpers.js';

const BLOCK_MS = 500;

/**
 * python3 that opens the decoy, reads it once on "go", waits until the flag file says the agent's
 * JavaScript thread is blocked, then reads, reopens (O_APPEND, so the reopen is told apart) and
 * reads again, and prints the CLOCK_MONOTONIC time (the clock of process.hrtime) it finished at.
 */
const ACCESSOR = `import os,sys,time
decoy, flag = sys.argv[1], sys.argv[2]
fd = os.open(decoy, os.O_RDONLY)
print("open", flush=True)
sys.stdin.readline()
os.pread(fd, 64, 0)
while not os.path.exists(flag):
  time.sleep(0.001)
os.pread(fd, 64, 0)
os.close(os.open(decoy, os.O_RDONLY | os.O_APPEND))
os.pread(fd, 64, 0)
os.pread(fd, 64, 0)
print("done", time.monotonic_ns(), flush=True)`;

describe('FanotifySensor: the addon answers while JavaScript is blocked', () => {
  let w: WatchedScratch;
  before(async () => {
    w = await watchedScratch();
  });
  after(() => w.close());

  it("answers a remembered execution's reads and reopen while the event loop is blocked, and delivers them afterwards in order", async () => {
    const { sensor, rec, s } = w;
    rec.clear();
    const flag = join(s.dir, 'blocked');
    const child = spawn('/usr/bin/python3', ['-u', '-c', ACCESSOR, s.decoy, flag], { stdio: ['pipe', 'pipe', 'inherit'] });
    const fastBefore = sensor.stats().fastAllowed;
    let blockedFrom = 0n;
    let blockedUntil = 0n;
    rec.decide = (req: AccessRequest) => {
      if (req.event.process.pid !== child.pid) return void req.allow();
      if (!req.answered) return void req.allowRepeats();
      if (blockedFrom !== 0n) return;
      // The first read answered in the addon: block this thread, and only then let the child go on.
      blockedFrom = process.hrtime.bigint();
      writeFileSync(flag, '');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS);
      blockedUntil = process.hrtime.bigint();
    };
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor('the child opened the decoy', () => out.includes('open'), 10_000);
      child.stdin.write('go\n');
      const done = await waitFor('the child finished reading', () => /done (\d+)/.exec(out)?.[1], 10_000);
      const mine = () => rec.byPid(child.pid!);
      await waitFor('six accesses delivered', () => mine().length >= 6, 10_000);

      assert.ok(blockedUntil > 0n, 'the event loop was blocked');
      const finished = BigInt(done);
      assert.ok(finished > blockedFrom && finished < blockedUntil, 'the child did its accesses while JavaScript was blocked');
      const seen = mine();
      assert.deepEqual(
        seen.map((r) => r.event.access),
        ['open', 'read', 'read', 'open', 'read', 'read'],
        'delivered in the order they happened',
      );
      assert.deepEqual(
        seen.map((r) => r.blocking),
        [true, false, false, false, false, false],
        'only the first open was asked about',
      );
      assert.ok(((seen[3]!.openFlags ?? 0) & 0o2000) !== 0, 'the reopen carries its own flags (O_APPEND)');
      assert.equal(openMode(seen[3]!.openFlags ?? -1), 'read');
      assert.ok(seen.every((r) => r.event.process.execId === seen[0]!.event.process.execId));
      assert.equal(sensor.stats().fastAllowed - fastBefore, 5);
    } finally {
      rec.decide = (req) => req.allow();
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});
