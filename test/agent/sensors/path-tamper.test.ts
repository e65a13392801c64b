/**
 * Tamper detection covers the decoy's path, not only the file (real kernel, root): a directory on
 * the path renamed or deleted, or a mount over the decoy, makes the decoy unreachable, reported
 * at once for renames and deletions and at the next look (the agent's rescan) for mounts; the
 * watch status says so until the path leads to the decoy again. Short-lived tools that delete or
 * rename a decoy are named by pid and binary.
 */
import assert from 'node:assert/strict';
import { mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DecoyChange } from '../../../src/core/file-event.js';
import { FanotifySensor } from '../../../src/agent/sensors/fanotify-sensor.js';
import { Recorder, run, type Scratch, scratch, SECRET } from './helpers.js';

describe('FanotifySensor: tamper with the path to a decoy', () => {
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

  /** A decoy in a directory of its own, two levels below the scratch directory. */
  async function decoy(): Promise<{ top: string; dir: string; path: string }> {
    const top = join(s.dir, `top-${++n}`);
    const dir = join(top, '.ssh');
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'id_rsa');
    await writeFile(path, SECRET);
    await sensor.watch(path);
    return { top, dir, path };
  }

  const change = (path: string, c: DecoyChange) => (t: { path: string; change: DecoyChange }) => t.path === path && t.change === c;
  const status = (path: string) => sensor.watched().find((w) => w.path === path);

  it('reports a renamed parent directory as unreachable until it is renamed back', async () => {
    const { dir, path } = await decoy();
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
    const { top, path } = await decoy();
    await run('mv', [top, `${top}.old`]);
    await rec.waitForTamper(change(path, 'unreachable'));
    await run('mv', [`${top}.old`, top]);
    await waitUntil(() => status(path)?.unreachable === undefined);
  });

  it('reports a deleted directory, and watches the decoy planted again there at the next look', async () => {
    const { dir, path } = await decoy();
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
    const { dir, path } = await decoy();
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
    const first = await decoy();
    const mv = await run('mv', [first.path, `${first.path}.moved`]);
    const moved = await rec.waitForTamper(change(first.path, 'renamed'));
    assert.equal(moved.process?.pid, mv.pid);
    const second = await decoy();
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

  it('cleans up', async () => {
    await rm(s.dir, { recursive: true, force: true });
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the watch status');
    await new Promise((r) => setTimeout(r, 20));
  }
}
