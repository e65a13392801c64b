/**
 * The access group is read on the addon's own thread (root, real kernel): the reads and opens the
 * addon answers by itself are answered while JavaScript's thread is blocked, and every one of them
 * reaches JavaScript afterwards, in the order the kernel queued them; past the queue's bound the
 * events wait in the kernel instead, and none is lost.
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

/** python3 that opens the decoy, and on "go" reads it `count` times, then prints the time as above. */
const STORM = `import os,sys,time
fd = os.open(sys.argv[1], os.O_RDONLY)
print("open", flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[2])):
  os.pread(fd, 64, 0)
print("done", time.monotonic_ns(), flush=True)`;

interface BlockedRun {
  pid: number;
  /** The child's CLOCK_MONOTONIC when it was done, and the event loop's block, on the same clock. */
  done: bigint;
  blockedFrom: bigint;
  blockedUntil: bigint;
  /** Date.now() when the block ended. */
  blockedUntilWall: number;
  fastBefore: number;
}

/**
 * Runs `script` (which opens the decoy, prints "open", waits for a line, accesses, then prints
 * "done <ns>") with its open allowed with allowRepeats, and blocks the event loop for `blockMs` on
 * the child's first access the addon answered, after calling `onBlock` (on the blocked thread).
 */
async function blockedRun(w: WatchedScratch, script: string, args: string[], blockMs: number, onBlock = () => {}): Promise<BlockedRun> {
  const { sensor, rec, s } = w;
  rec.clear();
  const child = spawn('/usr/bin/python3', ['-u', '-c', script, s.decoy, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const run = { pid: child.pid!, done: 0n, blockedFrom: 0n, blockedUntil: 0n, blockedUntilWall: 0, fastBefore: sensor.stats().fastAllowed };
  rec.decide = (req: AccessRequest) => {
    if (req.event.process.pid !== child.pid) return void req.allow();
    if (!req.answered) return void req.allowRepeats();
    if (run.blockedFrom !== 0n) return;
    run.blockedFrom = process.hrtime.bigint();
    onBlock();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, blockMs);
    run.blockedUntil = process.hrtime.bigint();
    run.blockedUntilWall = Date.now();
  };
  try {
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the child opened the decoy', () => out.includes('open'), 10_000);
    child.stdin.write('go\n');
    run.done = BigInt(await waitFor('the child finished', () => /done (\d+)/.exec(out)?.[1], 30_000));
    assert.ok(run.blockedUntil > 0n, 'the event loop was blocked');
    return run;
  } finally {
    rec.decide = (req) => req.allow();
    child.stdin.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

describe('FanotifySensor: the addon answers while JavaScript is blocked', () => {
  let w: WatchedScratch;
  before(async () => {
    w = await watchedScratch();
  });
  after(() => w.close());

  it("answers a remembered execution's reads and reopen while the event loop is blocked, and delivers them afterwards in order", async () => {
    const flag = join(w.s.dir, 'blocked');
    // The child goes on past its first read only once the flag says the loop is blocked.
    const run = await blockedRun(w, ACCESSOR, [flag], BLOCK_MS, () => writeFileSync(flag, ''));
    const mine = () => w.rec.byPid(run.pid);
    await waitFor('six accesses delivered', () => mine().length >= 6, 10_000);
    assert.ok(run.done > run.blockedFrom && run.done < run.blockedUntil, 'the child did its accesses while JavaScript was blocked');
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
    assert.equal(w.sensor.stats().fastAllowed - run.fastBefore, 5);
    // Stamped when the addon read them, not when the blocked loop got to them.
    for (const r of seen.slice(2)) assert.ok(Date.parse(r.event.time) < run.blockedUntilWall, `event time ${r.event.time} is the access's, not its delivery's`);
  });

  it('keeps what JavaScript has not taken in the kernel once 4,096 events wait for it, and loses none', async () => {
    const count = 6000;
    const run = await blockedRun(w, STORM, [String(count)], 2 * BLOCK_MS);
    const reads = () => w.rec.byPid(run.pid).filter((r) => r.event.access === 'read');
    await waitFor(`${count} reads delivered`, () => reads().length >= count, 30_000);
    assert.ok(run.done > run.blockedUntil, 'the reads past the bound waited in the kernel until JavaScript took the queue');
    assert.equal(reads().length, count, 'every read delivered once');
    assert.ok(reads().every((r) => !r.blocking));
    assert.equal(w.sensor.stats().fastAllowed - run.fastBefore, count);
  });
});
