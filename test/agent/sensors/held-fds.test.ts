/**
 * Descriptors opened on a decoy before its watch began (real kernel, root): the kernel never
 * reports their reads, so the sensor looks for them and reports each holder once, with its
 * process; O_PATH descriptors, which cannot read, are left out.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { FanotifySensor } from '../../../src/agent/sensors/fanotify-sensor.js';
import { holder, Recorder, type Scratch, scratch } from './helpers.js';

describe('FanotifySensor.reportHeld', () => {
  let sensor: FanotifySensor;
  let rec: Recorder;
  let s: Scratch;
  const children: ChildProcess[] = [];

  before(async () => {
    s = await scratch();
    // Opened before any watch exists, as by a process already running when the agent starts.
    for (const flags of ['os.O_RDONLY', 'os.O_WRONLY', 'os.O_PATH']) children.push(await holder(s.decoy, flags));
    sensor = new FanotifySensor();
    rec = new Recorder(sensor);
    await sensor.watch(s.decoy);
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sensor.close();
    await s.cleanup();
  });

  it('reports each holder with its pid, read or write by the descriptor mode, and skips O_PATH', async () => {
    const [reader, writer, pathOnly] = children.map((c) => c.pid!);
    assert.equal(await sensor.reportHeld(), 2);
    const mine = rec.accesses.filter((r) => [reader, writer, pathOnly].includes(r.event.process.pid));
    assert.deepEqual(
      mine.map((r) => [r.event.process.pid, r.event.access, r.event.held, r.event.permission, r.decoy]),
      [
        [reader, 'read', true, false, s.decoy],
        [writer, 'write', true, false, s.decoy],
      ],
    );
    assert.match(mine[0]!.event.process.binary, /python/);
  });

  it('reports a holder once, however often it looks', async () => {
    rec.clear();
    assert.equal(await sensor.reportHeld(), 0);
    assert.equal(rec.accesses.length, 0);
  });
});
