/**
 * Reads and opens the addon allows itself after JavaScript allowed the same process execution's
 * earlier event with allowRepeats() (root, real kernel): they are still delivered, already answered,
 * with the whole process context; a process JavaScript has not answered, and any read after
 * forgetRepeats(), is asked about as before.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { openMode } from '../../../src/agent/sensors/access-kind.js';
import type { AccessRequest } from '../../../src/agent/sensors/access-request.js';
import { waitFor } from '../../support/wait.js';
import { run, SECRET, type WatchedScratch, watchedScratch } from './helpers.js';

const O_APPEND = 0o2000;
const reads = (rs: AccessRequest[]): AccessRequest[] => rs.filter((r) => r.event.access === 'read');

/** python3 that opens the decoy, reads it once per line on stdin, and says so each time. */
const READER = 'import os,sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\nfor line in sys.stdin:\n  os.pread(fd, 64, 0)\n  print("read", flush=True)';

describe('FanotifySensor: reads after an answered event', () => {
  let w: WatchedScratch;
  before(async () => {
    w = await watchedScratch();
  });
  after(() => w.close());

  it("allows in the addon the reads of a process whose open was allowed with allowRepeats, and delivers each with the open's process context", async () => {
    const { sensor, rec, s } = w;
    rec.clear();
    const before = sensor.stats().fastAllowed;
    const r = await rec.deciding(
      (req) => req.allowRepeats(),
      () => run('cat', [s.decoy]),
    );
    assert.equal(r.stdout, SECRET);
    const mine = rec.byPid(r.pid);
    assert.equal(mine[0]?.event.access, 'open');
    assert.equal(mine[0]?.blocking, true, 'the open was asked about');
    const read = reads(mine);
    assert.ok(read.length >= 1, `accesses: ${mine.map((m) => m.event.access)}`);
    assert.equal(sensor.stats().fastAllowed - before, read.length, 'every read was answered in the addon');
    for (const req of read) {
      assert.equal(req.blocking, false, 'nothing left to answer');
      assert.equal(req.answered, true);
      assert.equal(req.event.permission, true, 'it was a permission event all the same');
      assert.equal(req.allow(), false, 'no second reply');
      const { process: p, parent } = req.event;
      assert.equal(p.binary, '/usr/bin/cat');
      assert.deepEqual(p.arguments, [s.decoy]);
      assert.equal(p.tid, r.pid);
      assert.equal(p.uid, 0);
      assert.equal(p.execId, mine[0]!.event.process.execId);
      assert.equal(parent?.pid, process.pid);
      assert.equal(parent?.binary, w.nodeBinary);
    }
  });

  it('allows in the addon a second open by the same process through the same name, and delivers it with its flags', async () => {
    const { sensor, rec, s } = w;
    rec.clear();
    const before = sensor.stats().fastAllowed;
    const script = 'import os,sys\nfor flags in (os.O_RDONLY, os.O_RDONLY | os.O_APPEND):\n  os.close(os.open(sys.argv[1], flags))';
    const r = await rec.deciding(
      (req) => req.allowRepeats(),
      () => run('/usr/bin/python3', ['-c', script, s.decoy]),
    );
    assert.equal(r.code, 0, r.stderr);
    const opens = rec.byPid(r.pid).filter((req) => req.event.access === 'open');
    assert.deepEqual(
      opens.map((req) => req.blocking),
      [true, false],
    );
    assert.equal(sensor.stats().fastAllowed - before, 1);
    const second = opens[1]!;
    assert.equal(second.event.permission, true);
    assert.equal(openMode(second.openFlags ?? -1), 'read');
    assert.ok(((second.openFlags ?? 0) & O_APPEND) !== 0, "the flags are the second open's, read while it waited");
    assert.equal(second.event.process.tid, r.pid);
    assert.equal(second.event.process.execId, opens[0]!.event.process.execId);
  });

  it('asks about every read of a process whose open was allowed plainly', async () => {
    const { sensor, rec, s } = w;
    rec.clear();
    const before = sensor.stats().fastAllowed;
    const r = await run('cat', [s.decoy]);
    assert.equal(r.stdout, SECRET);
    const read = reads(rec.byPid(r.pid));
    assert.ok(read.length >= 1);
    assert.ok(read.every((req) => req.blocking));
    assert.equal(sensor.stats().fastAllowed, before);
  });

  it('asks about the first read of a forked child reading a descriptor its parent opened', async () => {
    const { sensor, rec, s } = w;
    rec.clear();
    const before = sensor.stats().fastAllowed;
    // `; true` keeps the shell from exec'ing cat, so cat is a child with the shell's descriptor.
    const r = await rec.deciding(
      (req) => req.allowRepeats(),
      () => run('sh', ['-c', 'exec 3<"$1"; cat <&3; true', 'sh', s.decoy]),
    );
    assert.equal(r.stdout, SECRET);
    assert.equal(rec.byPid(r.pid)[0]?.event.access, 'open', "the shell's open was answered");
    const child = reads(rec.accesses).filter((req) => req.event.process.pid !== r.pid);
    assert.ok(child.length >= 1, `accesses: ${rec.accesses.map((a) => `${a.event.process.pid} ${a.event.access}`)}`);
    assert.equal(child[0]!.event.process.binary, '/usr/bin/cat');
    assert.equal(child[0]!.blocking, true, "the child's first read is asked about: it had no answered event of its own");
    // That answer (allowRepeats) is the child's own: its later reads, if any, need not wait.
    assert.equal(sensor.stats().fastAllowed - before, child.length - 1);
    assert.ok(child.slice(1).every((req) => !req.blocking));
  });

  it('asks again after forgetRepeats, and remembers the answer that follows', async () => {
    const { sensor, rec, s } = w;
    rec.clear();
    rec.decide = (req) => req.allowRepeats();
    const child = spawn('/usr/bin/python3', ['-u', '-c', READER, s.decoy], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines: string[] = [];
      child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().trim().split('\n')));
      const readOnce = async (n: number) => {
        child.stdin.write('go\n');
        await waitFor(`read ${n}`, () => lines.length >= n, 5000);
      };
      const mine = () => reads(rec.byPid(child.pid!));
      await readOnce(1);
      await waitFor('the first read delivered', () => mine().length >= 1, 5000);
      assert.equal(mine()[0]!.blocking, false, 'after the answered open');
      sensor.forgetRepeats();
      await readOnce(2);
      await waitFor('the second read delivered', () => mine().length >= 2, 5000);
      assert.equal(mine()[1]!.blocking, true, 'forgotten: asked again');
      await readOnce(3);
      await waitFor('the third read delivered', () => mine().length >= 3, 5000);
      assert.equal(mine()[2]!.blocking, false, 'the second read was allowed with allowRepeats');
      assert.equal(mine()[2]!.event.process.execId, mine()[0]!.event.process.execId);
    } finally {
      rec.decide = (req) => req.allow();
      child.stdin.end();
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});
