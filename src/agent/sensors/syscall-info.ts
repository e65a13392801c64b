/**
 * What the blocked process is doing, from /proc/<pid>/task/<tid>/syscall: the syscall number and
 * its raw arguments. fanotify does not say whether an access reads or writes, nor with which
 * open(2) flags a file is being opened; the blocked syscall does.
 *
 * fanotify reports the thread-group id (FAN_REPORT_TID cannot be combined with FAN_REPORT_PIDFD),
 * so for multi-threaded processes the blocked thread is found by its wait channel.
 */
import { readdir, readFile } from 'node:fs/promises';

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
/** The event can reach us before the accessor has gone to sleep; it will within microseconds. */
const ATTEMPTS = 20;
const RETRY_MS = 1;

type Look = BlockedSyscall | 'gone' | 'not-yet';

async function look(pid: number): Promise<Look> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => null);
  if (!tids || tids.length === 0) return 'gone';
  let tid = pid;
  if (tids.length > 1) {
    const wchans = await Promise.all(tids.map((t) => readFile(`/proc/${pid}/task/${t}/wchan`, 'utf8').catch(() => '')));
    const waiting = wchans.findIndex((w) => FANOTIFY_WAIT.test(w));
    if (waiting < 0) return 'not-yet';
    tid = Number(tids[waiting]);
  }
  // Reading a sleeping thread's syscall waits until it is off the CPU; a thread still running
  // reads as "running".
  const line = await readFile(`/proc/${pid}/task/${tid}/syscall`, 'utf8').catch(() => null);
  if (line === null) return 'gone';
  return parseSyscallLine(tid, line) ?? 'not-yet';
}

/** The syscall the process's waiting thread is blocked in, or null when it cannot be told. */
export async function readBlockedSyscall(pid: number): Promise<BlockedSyscall | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const seen = await look(pid);
    if (seen === 'gone') return null;
    if (seen !== 'not-yet') return seen;
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
  return null;
}
