/**
 * The sensor on the real kernel (root required): who touched a decoy, how, and what a verdict
 * does to the process. Scratch files only; nothing outside a temporary directory is watched.
 */
import assert from 'node:assert/strict';
import { link, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openMode } from '../../../src/agent/sensors/access-kind.js';
import type { AccessRequest } from '../../../src/agent/sensors/access-request.js';
import { FanotifySensor, type SensorWarning } from '../../../src/agent/sensors/fanotify-sensor.js';
import { Recorder, run, type Scratch, SECRET, scratch, settle, shellStatus, type WatchedScratch, watchedScratch } from './helpers.js';

const O_APPEND = 0o2000;
const kinds = (rs: AccessRequest[]): string[] => rs.map((r) => r.event.access);

describe('FanotifySensor access events', () => {
  let sensor: FanotifySensor;
  let rec: Recorder;
  let s: Scratch;
  let nodeBinary: string;
  let watched: WatchedScratch;

  before(async () => {
    watched = await watchedScratch();
    ({ sensor, rec, s, nodeBinary } = watched);
  });

  after(() => watched.close());

  it('reports cat as an open and reads, never a write, with its pid, binary, uid and parent', async () => {
    rec.clear();
    const r = await run('cat', [s.decoy]);
    assert.equal(r.stdout, SECRET);
    const mine = rec.byPid(r.pid);
    assert.equal(mine[0]?.event.access, 'open');
    assert.ok(kinds(mine).includes('read'), `kinds: ${kinds(mine)}`);
    assert.ok(!kinds(mine).includes('write'));
    const { event, openFlags } = mine[0]!;
    const st = await stat(s.decoy);
    assert.equal(event.path, s.decoy);
    assert.equal(mine[0]!.decoy, s.decoy);
    assert.deepEqual([event.dev, event.ino], [st.dev, st.ino]);
    assert.equal(event.permission, true);
    assert.equal(event.process.binary, '/usr/bin/cat');
    assert.deepEqual(event.process.arguments, [s.decoy]);
    assert.equal(event.process.uid, 0);
    assert.equal(event.process.tid, r.pid);
    assert.equal(event.process.cwd, process.cwd());
    assert.ok(Math.abs(Date.parse(event.process.startTime) - Date.now()) < 60_000, event.process.startTime);
    assert.ok(event.process.execId.length > 0);
    assert.equal(event.parent?.pid, process.pid);
    assert.equal(event.parent?.binary, nodeBinary);
    assert.equal(openMode(openFlags ?? -1), 'read');
  });

  it("reports the tutorial's append as an open for writing and a write, never a read", async () => {
    rec.clear();
    try {
      const r = await run('sh', ['-c', `echo something.strange >> ${s.decoy}`]);
      assert.equal(r.code, 0);
      const mine = rec.byPid(r.pid);
      assert.deepEqual(kinds(mine), ['open', 'write']);
      const open = mine[0]!;
      assert.equal(openMode(open.openFlags ?? 0), 'write');
      assert.ok(((open.openFlags ?? 0) & O_APPEND) !== 0, 'O_APPEND seen while the open waits');
      assert.equal(mine[1]?.event.permission, true, 'the write is held before it happens');
      assert.equal(mine[1]?.event.process.binary, '/usr/bin/dash');
    } finally {
      await writeFile(s.decoy, SECRET);
    }
  });

  it("answers a plain read's pre-access in the addon; reads still reach the listener as reads, a write's pre-access as a write", async () => {
    rec.clear();
    const before = sensor.stats().readsAllowed;
    try {
      const script = 'import os,sys\nfd = os.open(sys.argv[1], os.O_RDWR)\nos.pread(fd, 64, 0)\nos.pread(fd, 64, 0)\nos.pwrite(fd, b"d", 0)';
      const r = await run('/usr/bin/python3', ['-c', script, s.decoy]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(kinds(rec.byPid(r.pid)), ['open', 'read', 'read', 'write']);
      assert.equal(rec.byPid(r.pid)[3]?.event.permission, true, 'the write is held before it happens');
      assert.ok(sensor.stats().readsAllowed - before >= 1, 'the addon answered a read itself');
    } finally {
      await writeFile(s.decoy, SECRET);
    }
  });

  it('names the thread that made the access in a multi-threaded process', async () => {
    rec.clear();
    const r = await run(process.execPath, ['-e', `require('fs').readFile(${JSON.stringify(s.decoy)}, 'utf8', (e, d) => process.stdout.write(d))`]);
    assert.equal(r.stdout, SECRET);
    const mine = rec.byPid(r.pid);
    assert.deepEqual(kinds(mine).slice(0, 2), ['open', 'read']);
    // libuv's pool threads do the reading, not the main thread.
    assert.ok(mine[0]?.event.process.tid !== undefined && mine[0].event.process.tid !== r.pid, `tid ${mine[0]?.event.process.tid}`);
  });

  it('reports cp reading the decoy', async () => {
    rec.clear();
    const r = await run('cp', [s.decoy, join(s.dir, 'copy')]);
    assert.equal(r.code, 0);
    const mine = rec.byPid(r.pid);
    assert.deepEqual(kinds(mine).slice(0, 2), ['open', 'read']);
    assert.equal(mine[0]?.event.process.binary, '/usr/bin/cp');
    assert.equal(mine[0]?.event.process.uid, 0);
  });

  it('reports python3 with the interpreter binary and its arguments', async () => {
    const exe = (await run('python3', ['-c', 'import os,sys; print(os.path.realpath(sys.executable))'])).stdout.trim();
    rec.clear();
    const r = await run('python3', ['-c', 'import sys; print(open(sys.argv[1]).read(), end="")', s.decoy]);
    assert.equal(r.stdout, SECRET);
    const py = rec.accesses.filter((a) => a.event.process.binary === exe);
    assert.deepEqual(kinds(py).slice(0, 2), ['open', 'read']);
    assert.equal(py[0]?.event.process.arguments.at(-1), s.decoy);
    assert.equal(py[0]?.event.process.uid, 0);
  });

  it('reports an unprivileged reader with its own uid', async () => {
    rec.clear();
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', s.decoy]);
    assert.equal(r.stdout, SECRET);
    const mine = rec.byPid(r.pid);
    assert.equal(mine[0]?.event.access, 'open');
    assert.equal(mine[0]?.event.process.uid, 65534);
    assert.equal(mine[0]?.event.process.binary, '/usr/bin/cat');
  });

  // A hard link is reported under its own name; the kernel resolves a symlink to the target.
  const otherNames: [string, (target: string, name: string) => Promise<void>, boolean][] = [
    ['a hard link', link, true],
    ['a symlink', symlink, false],
  ];
  for (const [how, makeName, reportsOwnName] of otherNames) {
    it(`reports access through ${how}`, async () => {
      const name = join(s.dir, how.replace(/\W/g, '-'));
      await makeName(s.decoy, name);
      rec.clear();
      const r = await run('cat', [name]);
      assert.equal(r.stdout, SECRET);
      const open = rec.byPid(r.pid)[0];
      assert.equal(open?.event.access, 'open');
      assert.equal(open?.event.path, reportsOwnName ? name : s.decoy);
      assert.equal(open?.decoy, s.decoy);
    });
  }

  it('reports access through a bind mount inside another mount namespace', async () => {
    const target = join(s.dir, 'innocent.txt');
    await writeFile(target, 'nothing here\n');
    rec.clear();
    const r = await run('unshare', ['-m', 'sh', '-c', `mount --bind ${s.decoy} ${target} && cat ${target}`]);
    assert.equal(r.stdout, SECRET, r.stderr);
    const viaMount = rec.accesses.filter((a) => a.event.process.binary === '/usr/bin/cat');
    assert.equal(viaMount[0]?.event.access, 'open');
    assert.equal(viaMount[0]?.event.path, target);
    assert.equal(viaMount[0]?.decoy, s.decoy);
  });

  it('deny makes cat fail with "Operation not permitted"', async () => {
    const r = await rec.deciding(
      (req) => req.deny(),
      () => run('cat', [s.decoy]),
    );
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Operation not permitted/);
    assert.equal(rec.byPid(r.pid).length, 1, 'only the open: it never got further');
  });

  it('deny can carry another errno the kernel accepts (EIO on the read)', async () => {
    const r = await rec.deciding(
      (req) => (req.event.access === 'read' ? req.deny('EIO') : req.allow()),
      () => run('cat', [s.decoy]),
    );
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Input\/output error/);
  });

  it('denies a write before it happens and leaves the decoy unchanged', async () => {
    const script = 'import os,sys\nfd=os.open(sys.argv[1], os.O_WRONLY|os.O_APPEND)\ntry:\n os.write(fd, b"x")\nexcept OSError as e:\n print(e.errno)';
    const r = await rec.deciding(
      (req) => (req.event.access === 'write' ? req.deny() : req.allow()),
      () => run('python3', ['-c', script, s.decoy]),
    );
    assert.equal(r.stdout.trim(), '1', r.stderr);
    assert.equal(await readFile(s.decoy, 'utf8'), SECRET);
  });

  it('kill makes cat exit 137 without printing anything', async () => {
    const r = await rec.deciding(
      (req) => req.kill(),
      () => run('cat', [s.decoy]),
    );
    assert.equal(shellStatus(r), 137);
    assert.equal(r.stdout, '');
  });

  it("never reports the agent's own accesses (and they do not wait on it)", async () => {
    rec.clear();
    assert.equal(await readFile(s.decoy, 'utf8'), SECRET);
    await writeFile(s.decoy, SECRET);
    await settle();
    assert.equal(rec.accesses.length, 0);
  });

  it('stops reporting a decoy once it is unwatched', async () => {
    const other = join(s.dir, 'retired');
    await writeFile(other, SECRET);
    await sensor.watch(other);
    assert.equal(await sensor.unwatch(other), true);
    assert.deepEqual(
      sensor.watched().map((w) => w.path),
      [s.decoy],
    );
    rec.clear();
    const r = await run('sh', ['-c', `cat ${other} && chmod 600 ${other} && rm ${other}`]);
    assert.equal(r.stdout, SECRET);
    await settle();
    assert.deepEqual([rec.accesses.length, rec.tampers.length], [0, 0]);
  });

  it('stays silent about files it does not watch', async () => {
    const other = join(s.dir, 'other');
    await writeFile(other, 'x');
    rec.clear();
    const r = await run('cat', [other]);
    assert.equal(r.code, 0);
    assert.equal(rec.accesses.length, 0);
  });
});

describe('FanotifySensor on tmpfs (no pre-content events)', () => {
  it('reports writes after the fact and can still deny the write-mode open', async () => {
    const dir = await mkdtemp('/dev/shm/tripline-sensor-');
    const decoy = join(dir, 'token');
    await writeFile(decoy, SECRET);
    const sensor = new FanotifySensor();
    const rec = new Recorder(sensor);
    try {
      const watched = await sensor.watch(decoy);
      assert.equal(watched.blockingWrites, false);
      const r = await run('sh', ['-c', `echo more >> ${decoy}`]);
      assert.equal(r.code, 0);
      const write = await rec.waitForAccess((a) => a.event.access === 'write');
      assert.equal(write.event.permission, false, 'seen through FAN_MODIFY, after the write');
      assert.equal(write.event.process.pid, r.pid);
      assert.deepEqual(kinds(rec.byPid(r.pid)), ['open', 'write']);
      assert.equal(rec.byPid(r.pid)[0]?.event.permission, true);
      const denied = await rec.deciding(
        (req) => (openMode(req.openFlags ?? 0) === 'read' ? req.allow() : req.deny()),
        () => run('sh', ['-c', `echo again >> ${decoy}`]),
      );
      assert.match(denied.stderr, /Operation not permitted/);
      assert.equal(await readFile(decoy, 'utf8'), `${SECRET}more\n`);
    } finally {
      await sensor.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('FanotifySensor verdict safety nets', () => {
  it('allows an access no one answers once the reply timeout passes', async () => {
    const s = await scratch();
    const sensor = new FanotifySensor({ replyTimeoutMs: 300 });
    const held: AccessRequest[] = [];
    const warnings: SensorWarning[] = [];
    sensor.on('access', (r) => held.push(r));
    sensor.on('warning', (w) => warnings.push(w));
    try {
      await sensor.watch(s.decoy);
      const started = Date.now();
      const r = await run('cat', [s.decoy]);
      assert.equal(r.stdout, SECRET);
      assert.ok(Date.now() - started >= 250, 'the open waited for the timeout');
      assert.ok(sensor.stats().expired >= 1);
      assert.equal(held[0]?.allow(), false, 'a verdict after the timeout changes nothing');
      assert.equal(warnings.at(-1)?.code, 'late_verdict');
    } finally {
      await sensor.close();
      await s.cleanup();
    }
  });

  it('allows what is pending when it closes', async () => {
    const s = await scratch();
    const sensor = new FanotifySensor({ replyTimeoutMs: 60_000 });
    let seen = 0;
    sensor.on('access', () => seen++);
    await sensor.watch(s.decoy);
    const pending = run('cat', [s.decoy]);
    while (seen === 0) await settle(20);
    assert.equal(sensor.stats().pending, 1);
    await sensor.close();
    const r = await pending;
    assert.equal(r.stdout, SECRET);
    await s.cleanup();
  });

  it('allows everything when no one listens', async () => {
    const s = await scratch();
    const sensor = new FanotifySensor();
    try {
      await sensor.watch(s.decoy);
      const r = await run('cat', [s.decoy]);
      assert.equal(r.stdout, SECRET);
      assert.equal(sensor.stats().pending, 0);
    } finally {
      await sensor.close();
      await s.cleanup();
    }
  });

  it('refuses what it cannot watch, with the path in the error', async () => {
    const sensor = new FanotifySensor();
    try {
      await assert.rejects(sensor.watch('/nonexistent/tripline-decoy'), /\/nonexistent\/tripline-decoy/);
      await assert.rejects(sensor.watch('/tmp'), /not a regular file/);
    } finally {
      await sensor.close();
    }
  });
});
