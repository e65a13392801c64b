/**
 * What the blocked process is doing, from /proc/<pid>/task/<tid>/syscall: the syscall number and
 * its raw arguments. fanotify does not say whether an access reads or writes, nor with which
 * open(2) flags a file is being opened; the blocked syscall does.
 *
 * fanotify reports the thread-group id (FAN_REPORT_TID cannot be combined with FAN_REPORT_PIDFD),
 * so for multi-threaded processes the blocked thread is found by its wait channel.
 */
import { listProcDir, readProcText } from './proc-read.js';

export interface BlockedSyscall {
  tid: number;
  /** Syscall number, or -1 when the thread is blocked outside a syscall (a page fault). */
  nr: number;
  args: bigint[];
}

/** "nr a0 a1 a2 a3 a4 a5 sp pc", "-1 sp pc" or "running". */
export function parseSyscallLine(tid: number, line: string): BlockedSyscall | null {
  const parts = line.trim().split(' ');
  const nr = Number(parts[0]);
  if (!Number.isInteger(nr)) return null;
  const args = nr < 0 ? [] : parts.slice(1, 7).map((hex) => BigInt(hex));
  return { tid, nr, args };
}

/** Threads waiting on a fanotify verdict sleep in fanotify_handle_event (6.x). */
const FANOTIFY_WAIT = /fanotify/;
/** The event can reach us before the accessor has gone to sleep; it will within microseconds,
 * so the first looks follow each other at once. Waiting here holds the event loop, so the wait is
 * bounded: SPINS immediate looks, then up to PAUSES pauses of 50 µs (about 10 ms in all). */
const SPINS = 50;
const PAUSES = 200;
const PAUSE_MS = 0.05;
const pause = new Int32Array(new SharedArrayBuffer(4));

type Look = BlockedSyscall | 'gone' | 'not-yet';

function look(pid: number): Look {
  const tids = listProcDir(`/proc/${pid}/task`);
  if (!tids || tids.length === 0) return 'gone';
  let tid = pid;
  if (tids.length > 1) {
    const waiting = tids.find((t) => FANOTIFY_WAIT.test(readProcText(`/proc/${pid}/task/${t}/wchan`) ?? ''));
    if (waiting === undefined) return 'not-yet';
    tid = Number(waiting);
  }
  // Reading a sleeping thread's syscall waits until it is off the CPU; a thread still running
  // reads as "running".
  const line = readProcText(`/proc/${pid}/task/${tid}/syscall`);
  if (line === null) return 'gone';
  return parseSyscallLine(tid, line) ?? 'not-yet';
}

/** The thread of a single-threaded process is the process; null when it has several (or is gone). */
export function soleThread(pid: number): number | null {
  const tids = listProcDir(`/proc/${pid}/task`);
  return tids?.length === 1 ? pid : null;
}

/** The syscall the process's waiting thread is blocked in, or null when it cannot be told.
 * `known`: the line the addon read for a single-threaded process (AccessorFacts.syscall); when
 * it does not parse ("running": not asleep yet), the threads are looked at again here. */
export function readBlockedSyscall(pid: number, known?: string): BlockedSyscall | null {
  const given = known === undefined ? null : parseSyscallLine(pid, known);
  if (given) return given;
  for (let attempt = 0; attempt < SPINS + PAUSES; attempt++) {
    const seen = look(pid);
    if (seen === 'gone') return null;
    if (seen !== 'not-yet') return seen;
    if (attempt >= SPINS) Atomics.wait(pause, 0, 0, PAUSE_MS);
  }
  return null;
}
