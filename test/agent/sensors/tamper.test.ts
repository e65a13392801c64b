/**
 * Changes to the decoys themselves, on the real kernel: each test tampers with its own decoy and
 * checks the change reported and, where the decoy survives, that it is still watched.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DecoyChange } from '../../../src/core/file-event.js';
import { FanotifySensor } from '../../../src/agent/sensors/fanotify-sensor.js';
import { tamperChanges } from '../../../src/agent/sensors/tamper.js';
import { FAN_MOVED_FROM } from '../../../src/agent/sensors/fanotify-abi.js';
import type { FileState } from '../../../src/agent/sensors/decoy-marks.js';
import { Recorder, run, type Scratch, SECRET, scratch, settle } from './helpers.js';

describe('tamperChanges', () => {
  const base: FileState = { dev: 1, ino: 2, mode: 0o100600, uid: 0, gid: 0, size: 10, mtimeMs: 5 };
  const cases: [string, FileState | null, number, DecoyChange[]][] = [
    ['gone after a delete', null, 0, ['deleted']],
    ['gone after a rename', null, FAN_MOVED_FROM, ['renamed']],
    ['a new inode', { ...base, ino: 3 }, 0, ['replaced']],
    ['chmod', { ...base, mode: 0o100644 }, 0, ['mode_changed']],
    ['chown', { ...base, uid: 1000 }, 0, ['mode_changed']],
    ['new content', { ...base, size: 11, mtimeMs: 6 }, 0, ['modified']],
    ['nothing (link count, touch of atime)', { ...base }, 0, []],
  ];
  for (const [name, afterState, mask, expected] of cases) {
    it(name, () => assert.deepEqual(tamperChanges(base, afterState, mask), expected));
  }
  it('a decoy that comes back counts as replaced', () => assert.deepEqual(tamperChanges(null, base, 0), ['replaced']));
});

describe('FanotifySensor tamper events', () => {
  let sensor: FanotifySensor;
  let rec: Recorder;
  let s: Scratch;
  let n = 0;

  before(async () => {
    sensor = new FanotifySensor();
    rec = new Recorder(sensor);
    s = await scratch('unused');
  });

  after(async () => {
    await sensor.close();
    await s.cleanup();
  });

  /** A fresh decoy per test, so one test's tampering cannot be mistaken for another's. */
  async function decoy(): Promise<string> {
    const path = join(s.dir, `decoy-${++n}`);
    await run('sh', ['-c', `printf '${SECRET.trim()}\\n' > ${path}`]);
    await sensor.watch(path);
    return path;
  }

  const change = (path: string, c: DecoyChange) => (t: { path: string; change: DecoyChange }) => t.path === path && t.change === c;

  it('reports a mode change', async () => {
    const path = await decoy();
    await run('chmod', ['600', path]);
    await rec.waitForTamper(change(path, 'mode_changed'));
  });

  it('reports a modification', async () => {
    const path = await decoy();
    await run('sh', ['-c', `echo more >> ${path}`]);
    await rec.waitForTamper(change(path, 'modified'));
  });

  it('reports a deletion, with the process that did it while it still runs', async () => {
    const path = await decoy();
    const exe = (await run('python3', ['-c', 'import os,sys; print(os.path.realpath(sys.executable))'])).stdout.trim();
    const r = await run('python3', ['-c', 'import os,sys,time; os.unlink(sys.argv[1]); time.sleep(0.5)', path]);
    assert.equal(r.code, 0);
    const t = await rec.waitForTamper(change(path, 'deleted'));
    assert.equal(t.process?.binary, exe);
    assert.equal(t.process?.pid, r.pid);
  });

  it('reports a rename, and the renamed inode stays watched', async () => {
    const path = await decoy();
    const moved = `${path}.moved`;
    await run('mv', [path, moved]);
    await rec.waitForTamper(change(path, 'renamed'));
    rec.clear();
    const r = await run('cat', [moved]);
    assert.equal(r.stdout, SECRET);
    assert.equal(rec.byPid(r.pid)[0]?.decoy, path);
  });

  it('reports a replacement by a new inode and watches the new one', async () => {
    const path = await decoy();
    const before = await stat(path);
    await run('sh', ['-c', `echo forged > ${path}.tmp && mv ${path}.tmp ${path}`]);
    await rec.waitForTamper(change(path, 'replaced'));
    const now = await stat(path);
    assert.notEqual(now.ino, before.ino);
    assert.equal(sensor.watched().find((w) => w.path === path)?.ino, now.ino);
    rec.clear();
    const r = await run('cat', [path]);
    assert.equal(r.stdout, 'forged\n');
    const open = rec.byPid(r.pid)[0];
    assert.equal(open?.event.access, 'open');
    assert.equal(open?.event.ino, now.ino);
  });

  it('reports delete-then-recreate as deleted, then replaced, and watches the new file', async () => {
    const path = await decoy();
    await run('rm', [path]);
    await rec.waitForTamper(change(path, 'deleted'));
    await run('sh', ['-c', `echo again > ${path}`]);
    await rec.waitForTamper(change(path, 'replaced'));
    rec.clear();
    const r = await run('cat', [path]);
    assert.equal(r.stdout, 'again\n');
    assert.equal(rec.byPid(r.pid)[0]?.decoy, path);
  });

  it('reports nothing for changes to other files in the directory', async () => {
    const path = await decoy();
    await settle();
    rec.clear();
    await run('sh', ['-c', `echo x > ${s.dir}/neighbour && chmod 600 ${s.dir}/neighbour && rm ${s.dir}/neighbour`]);
    await settle(300);
    assert.deepEqual(
      rec.tampers.filter((t) => t.path === path),
      [],
    );
    assert.deepEqual(rec.tampers, []);
  });
});
