/**
 * Changes to the decoys themselves and to their paths, on the real kernel: each test tampers with
 * its own decoy and checks the change reported and, where the decoy survives, that it is still
 * watched. A directory on the path renamed or deleted, or a mount over the decoy, makes the decoy
 * unreachable, reported at once for renames and deletions and at the next look (the agent's
 * rescan) for mounts; the watch status says so until the path leads to the decoy again.
 * Short-lived tools that delete or rename a decoy are named by pid.
 */
import assert from 'node:assert/strict';
import { mkdir, realpath, stat, writeFile } from 'node:fs/promises';
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

  /** A decoy in a directory of its own, two levels below the scratch directory. */
  async function nestedDecoy(): Promise<{ top: string; dir: string; path: string }> {
    const top = join(s.dir, `top-${++n}`);
    const dir = join(top, '.ssh');
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'id_rsa');
    await writeFile(path, SECRET);
    await sensor.watch(path);
    return { top, dir, path };
  }

  const status = (path: string) => sensor.watched().find((w) => w.path === path);

  it('reports a renamed parent directory as unreachable until it is renamed back', async () => {
    const { dir, path } = await nestedDecoy();
    const r = await run('mv', [dir, `${dir}.old`]);
    assert.equal(r.code, 0);
    const t = await rec.waitForTamper(change(path, 'unreachable'));
    assert.equal(t.process?.pid, r.pid);
    assert.match(status(path)?.unreachable ?? '', /\.ssh is gone/);
    // Renamed back by another process: the sensor does not see its own process's changes.
    await run('mv', [`${dir}.old`, dir]);
    await waitUntil(() => status(path)?.unreachable === undefined && status(path)?.ino !== 0);
    assert.equal(status(path)?.ino, (await stat(path)).ino);
    // Back as it was: no "replaced" for the decoy's own inode.
    assert.equal(rec.tampers.filter((x) => x.path === path && x.change === 'replaced').length, 0);
  });

  it('reports a renamed grandparent directory as unreachable', async () => {
    const { top, path } = await nestedDecoy();
    await run('mv', [top, `${top}.old`]);
    await rec.waitForTamper(change(path, 'unreachable'));
    await run('mv', [`${top}.old`, top]);
    await waitUntil(() => status(path)?.unreachable === undefined);
  });

  it('reports a deleted directory, and watches the decoy planted again there at the next look', async () => {
    const { dir, path } = await nestedDecoy();
    const r = await run('rm', ['-rf', dir]);
    assert.equal(r.code, 0);
    // The file's deletion and the directory's may be seen apart ("deleted", then "unreachable")
    // or together (only "unreachable"): both name rm.
    await rec.waitForTamper(change(path, 'unreachable'));
    for (const t of rec.tampers.filter((x) => x.path === path)) assert.equal(t.process?.pid, r.pid);
    assert.ok(status(path)?.unreachable);
    await mkdir(dir);
    await writeFile(path, SECRET);
    sensor.recheckAll();
    await waitUntil(() => status(path)?.unreachable === undefined && status(path)?.ino !== 0);
    rec.clear();
    const cat = await run('cat', [path]);
    assert.equal(cat.stdout, SECRET);
    assert.ok(rec.byPid(cat.pid).length > 0, 'the new decoy is watched');
  });

  it('reports a bind mount over the decoy at the next look, and the status is ok once it is gone', async () => {
    const { dir, path } = await nestedDecoy();
    const other = join(dir, 'other');
    await writeFile(other, 'not the decoy\n');
    assert.equal((await run('mount', ['--bind', other, path])).code, 0);
    try {
      sensor.recheckAll();
      await rec.waitForTamper(change(path, 'unreachable'));
      assert.match(status(path)?.unreachable ?? '', /mounts over/);
    } finally {
      await run('umount', [path]);
    }
    sensor.recheckAll();
    await waitUntil(() => status(path)?.unreachable === undefined && status(path)?.ino !== 0);
  });

  it('names the pid and binary of rm and mv', async () => {
    const first = await nestedDecoy();
    const mv = await run('mv', [first.path, `${first.path}.moved`]);
    const moved = await rec.waitForTamper(change(first.path, 'renamed'));
    assert.equal(moved.process?.pid, mv.pid);
    const second = await nestedDecoy();
    const rmRun = await run('rm', ['-f', second.path]);
    const removed = await rec.waitForTamper(change(second.path, 'deleted'));
    assert.equal(removed.process?.pid, rmRun.pid);
    // The binary when the process could still be read; a tool already gone leaves it empty.
    for (const [t, binary] of [
      [moved, await realpath('/usr/bin/mv')],
      [removed, await realpath('/usr/bin/rm')],
    ] as const) {
      if (t.process?.binary) assert.equal(t.process.binary, binary);
    }
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the watch status');
    await new Promise((r) => setTimeout(r, 20));
  }
}
