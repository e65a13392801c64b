/**
 * The addon's /proc facts on the real kernel (root required): what it reads of a blocked accessor
 * must be what JavaScript reads of it at the same moment, and the one verdict it gives itself (a
 * plain read's pre-access) must be the only event it keeps from JavaScript.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { classify } from '../../../src/agent/sensors/access-kind.js';
import {
  AT_FDCWD,
  FAN_ACCESS_PERM,
  FAN_ALLOW,
  FAN_MARK_ADD,
  FAN_OPEN_PERM,
  FAN_PRE_ACCESS,
  GROUP_ACCESS,
  PERMISSION_EVENTS,
} from '../../../src/agent/sensors/fanotify-abi.js';
import { loadNative, type NativeHandle, type RawEvent } from '../../../src/agent/sensors/native.js';
import { parseStat } from '../../../src/agent/sensors/process-context.js';
import { readProcText } from '../../../src/agent/sensors/proc-read.js';
import { parseSyscallLine } from '../../../src/agent/sensors/syscall-info.js';
import { run, type Scratch, SECRET, scratch } from './helpers.js';

/** What JavaScript reads itself of the accessor while it still waits (before the reply). */
interface Seen {
  raw: RawEvent;
  stat: string | null;
  syscall: string | null;
  exe: { dev: number; ino: number } | null;
  owner: { uid: number; gid: number } | null;
  parentExe: { dev: number; ino: number } | null;
}

function statOrNull(path: string): { dev: number; ino: number; uid: number; gid: number } | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino, uid: st.uid, gid: st.gid } : null;
}

function lookNow(raw: RawEvent): Seen {
  const stat = readProcText(`/proc/${raw.pid}/stat`);
  const ppid = parseStat(stat ?? '')?.ppid ?? 0;
  const exe = statOrNull(`/proc/${raw.pid}/exe`);
  const owner = statOrNull(`/proc/${raw.pid}`);
  const parentExe = ppid > 0 ? statOrNull(`/proc/${ppid}/exe`) : null;
  return {
    raw,
    stat,
    syscall: readProcText(`/proc/${raw.pid}/syscall`),
    exe: exe && { dev: exe.dev, ino: exe.ino },
    owner: owner && { uid: owner.uid, gid: owner.gid },
    parentExe: parentExe && { dev: parentExe.dev, ino: parentExe.ino },
  };
}

const PYTHON = '/usr/bin/python3';

describe('addon /proc facts of a blocked accessor', () => {
  const native = loadNative();
  let handle: NativeHandle;
  let s: Scratch;
  const seen: Seen[] = [];

  before(async () => {
    s = await scratch();
    handle = native.open(GROUP_ACCESS, 5000, (events) => {
      for (const raw of events) {
        // Synchronously, before the verdict: the accessor is still blocked, as it was in the addon.
        seen.push(lookNow(raw));
        native.reply(handle, raw.id, FAN_ALLOW);
      }
    });
    native.mark(handle, FAN_MARK_ADD, PERMISSION_EVENTS, AT_FDCWD, s.decoy);
  });

  after(async () => {
    native.close(handle);
    await s.cleanup();
  });

  const byPid = (pid: number) => seen.filter((e) => e.raw.pid === pid);

  it('match what JavaScript reads of the same process while it waits', async () => {
    seen.length = 0;
    // Another uid, so the owner is not simply ours.
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', s.decoy]);
    assert.equal(r.stdout, SECRET);
    const mine = byPid(r.pid);
    assert.ok(mine.length >= 2, `events: ${mine.map((e) => e.raw.mask.toString(16))}`);
    for (const e of mine) {
      const what = `event ${e.raw.mask.toString(16)}`;
      assert.ok(e.raw.stat !== undefined && e.stat !== null, what);
      const addon = parseStat(e.raw.stat);
      assert.deepEqual(addon, parseStat(e.stat), what);
      assert.equal(addon?.threads, 1, what);
      assert.equal(addon?.ppid, process.pid, what);
      assert.deepEqual({ dev: e.raw.exeDev, ino: e.raw.exeIno }, e.exe, what);
      const cat = statSync('/usr/bin/cat');
      assert.deepEqual(e.exe, { dev: cat.dev, ino: cat.ino }, what);
      assert.deepEqual({ uid: e.raw.ownerUid, gid: e.raw.ownerGid }, { uid: 65534, gid: 65534 }, what);
      assert.deepEqual({ uid: e.raw.ownerUid, gid: e.raw.ownerGid }, e.owner, what);
      assert.deepEqual({ dev: e.raw.parentExeDev, ino: e.raw.parentExeIno }, e.parentExe, what);
    }
    const open = mine.find((e) => e.raw.mask === FAN_OPEN_PERM);
    assert.ok(open?.raw.syscall !== undefined, 'the open carries the syscall line');
    // The same line, arguments, stack and instruction pointer included: the same blocked call.
    assert.equal(open.raw.syscall, open.syscall);
    assert.ok(parseSyscallLine(r.pid, open.raw.syscall), open.raw.syscall);
    // A read needs no syscall line: a single-threaded reader's thread is the process.
    for (const e of mine.filter((e) => e.raw.mask === FAN_ACCESS_PERM)) assert.equal(e.raw.syscall, undefined);
  });

  it("answers a single-threaded reader's pre-access itself and delivers its open and reads", async () => {
    seen.length = 0;
    const before = native.stats(handle).readsAllowed;
    const reads = 5;
    const r = await run(PYTHON, ['-c', `import os,sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\nfor i in range(${reads}): os.pread(fd, 64, 0)`, s.decoy]);
    assert.equal(r.code, 0, r.stderr);
    const mine = byPid(r.pid);
    const allowed = native.stats(handle).readsAllowed - before;
    const pre = mine.filter((e) => e.raw.mask === FAN_PRE_ACCESS);
    // The addon lets one through only when it could not tell the syscall (the reader was not yet
    // asleep: "running"); JavaScript then looks again and classifies it.
    for (const e of pre) assert.ok(e.raw.syscall === undefined || parseSyscallLine(r.pid, e.raw.syscall) === null, e.raw.syscall);
    assert.equal(allowed + pre.length, reads);
    assert.ok(allowed >= 1, 'at least one pre-access answered in the addon');
    assert.equal(mine.filter((e) => e.raw.mask === FAN_ACCESS_PERM).length, reads, 'every read still reported');
    assert.equal(mine.filter((e) => e.raw.mask === FAN_OPEN_PERM).length, 1);
  });

  it('parses stat after the last parenthesis, whatever the command name holds', async () => {
    seen.length = 0;
    const name = 'x) (y 1 2';
    const script = `import os,sys\nopen('/proc/self/comm', 'w').write(sys.argv[2])\nfd = os.open(sys.argv[1], os.O_RDONLY)\nos.pread(fd, 64, 0)`;
    const r = await run(PYTHON, ['-c', script, s.decoy, name]);
    assert.equal(r.code, 0, r.stderr);
    const open = byPid(r.pid).find((e) => e.raw.mask === FAN_OPEN_PERM);
    const stat = open?.raw.stat ?? '';
    assert.ok(stat.includes(`(${name})`), stat);
    // The syscall line is only read once stat said one thread, so the addon parsed it right.
    assert.ok(open?.raw.syscall !== undefined);
    assert.deepEqual(parseStat(stat), parseStat(open.stat ?? ''));
    assert.equal(parseStat(stat)?.ppid, process.pid);
    // The addon found the parent through the ppid it parsed.
    assert.deepEqual({ dev: open.raw.parentExeDev, ino: open.raw.parentExeIno }, open.parentExe);
  });

  it("delivers a write's pre-access, with the write syscall", async () => {
    seen.length = 0;
    try {
      const r = await run(PYTHON, ['-c', `import os,sys\nfd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)\nos.write(fd, b'x')`, s.decoy]);
      assert.equal(r.code, 0, r.stderr);
      const pre = byPid(r.pid).filter((e) => e.raw.mask === FAN_PRE_ACCESS);
      assert.equal(pre.length, 1);
      const line = pre[0]!.raw.syscall ?? pre[0]!.syscall ?? '';
      const never = { refersToFile: () => false, holdsWritable: () => false };
      assert.equal(classify(FAN_PRE_ACCESS, parseSyscallLine(r.pid, line), never), 'write', line);
    } finally {
      await writeFile(s.decoy, SECRET);
    }
  });

  it("delivers a multi-threaded reader's pre-access without a syscall line (its waiting thread is not known there)", async () => {
    seen.length = 0;
    // Node reads files on libuv's pool threads.
    const r = await run(process.execPath, ['-e', `require('fs').readFile(${JSON.stringify(s.decoy)}, () => {})`]);
    assert.equal(r.code, 0, r.stderr);
    const mine = byPid(r.pid);
    assert.ok(mine.some((e) => e.raw.mask === FAN_PRE_ACCESS));
    for (const e of mine) {
      assert.ok((parseStat(e.raw.stat ?? '')?.threads ?? 0) > 1);
      assert.equal(e.raw.syscall, undefined);
    }
  });
});
