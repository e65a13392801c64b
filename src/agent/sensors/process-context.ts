/**
 * Who is touching the decoy, read from /proc while the process is still blocked on the sensor's
 * verdict (so its /proc entry is guaranteed to exist and describe the accessor).
 *
 * Reads are synchronous (proc-read.ts): the verdict path must not leave the event loop. The
 * cached variant (ProcessCache) keeps what a process's exec fixes (arguments, binary, cwd at
 * first sight, cgroup) and re-reads per event only what tells whether it is still the same
 * execution and what can change without one (uid).
 */
import { hostname } from 'node:os';
import type { ProcessInfo } from '../../core/file-event.js';
import { cgroupIdentity } from './container-id.js';
import type { AccessorFacts } from './native.js';
import { readProcLink, readProcText, readProcUtf8, statProcLink } from './proc-read.js';

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every architecture Linux and Node share. */
const TICKS_PER_SECOND = 100;
const NS_PER_TICK = 1_000_000_000 / TICKS_PER_SECOND;
const UNSET_LOGINUID = 4294967295;

export interface ProcStat {
  ppid: number;
  /** Start time in clock ticks after boot. */
  startTicks: number;
  threads: number;
}

/** Fields after the command name, which may itself contain spaces and parentheses. */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ', 20);
  // fields[0] is field 3 (state) of proc(5); ppid is field 4, num_threads field 20, starttime field 22.
  const ppid = Number(fields[1]);
  const threads = Number(fields[17]);
  const startTicks = Number(fields[19]);
  return Number.isFinite(ppid) && Number.isFinite(startTicks) && Number.isFinite(threads) ? { ppid, startTicks, threads } : null;
}

/** Real uid, as Tetragon reports it (the effective uid is the second column). */
export function parseUid(status: string): number {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : -1;
}

/** argv[1..] from the NUL-separated cmdline. */
export function parseArguments(cmdline: string): string[] {
  const argv = cmdline.split('\0');
  if (argv[argv.length - 1] === '') argv.pop();
  return argv.slice(1);
}

/** Tetragon's exec id: base64 of "node:start-ns-since-boot:pid", unique per process start. */
export function execId(node: string, startTicks: number, pid: number): string {
  return Buffer.from(`${node}:${startTicks * NS_PER_TICK}:${pid}`).toString('base64');
}

let bootMs: number | undefined;

/** Boot time from /proc/stat btime; the kernel keeps it fixed, so it is read once. */
function bootTimeMs(): number {
  bootMs ??= Number(/^btime (\d+)$/m.exec(readProcText('/proc/stat') ?? '')?.[1] ?? 0) * 1000;
  return bootMs;
}

export interface ReadOptions {
  nodeName?: string;
  /** Thread that made the access, when known. */
  tid?: number;
}

/** What identifies one execution of a process: pid reuse changes the start, exec the binary. */
export interface ProcessIdentity {
  ppid: number;
  startTicks: number;
  /** (dev, ino) of the running executable; null for kernel threads or when unreadable. */
  exe: { dev: number; ino: number } | null;
}

/** What the addon read of a blocked accessor (AccessorFacts), parsed; each absent when unread. */
export interface KnownFacts {
  stat?: ProcStat;
  exe?: { dev: number; ino: number };
  /** Owner of /proc/<pid>: "uid:gid". */
  owner?: string;
  /** Executable of the parent named by stat. */
  parentExe?: { dev: number; ino: number };
}

/** An event's AccessorFacts as readIdentity and ProcessCache take them; the stat line parsed once. */
export function knownFacts(raw: AccessorFacts): KnownFacts {
  const known: KnownFacts = {};
  const stat = raw.stat === undefined ? null : parseStat(raw.stat);
  if (stat) known.stat = stat;
  if (raw.exeDev !== undefined && raw.exeIno !== undefined) known.exe = { dev: raw.exeDev, ino: raw.exeIno };
  if (raw.ownerUid !== undefined && raw.ownerGid !== undefined) known.owner = `${raw.ownerUid}:${raw.ownerGid}`;
  if (stat && raw.parentExeDev !== undefined && raw.parentExeIno !== undefined) known.parentExe = { dev: raw.parentExeDev, ino: raw.parentExeIno };
  return known;
}

/** Start time and executable of pid, or null when it no longer exists. */
export function readIdentity(pid: number, known: KnownFacts = {}): ProcessIdentity | null {
  const stat = known.stat ?? parseStat(readProcText(`/proc/${pid}/stat`) ?? '');
  if (!stat) return null;
  let exe: ProcessIdentity['exe'] = known.exe ?? null;
  if (!exe) {
    try {
      exe = statProcLink(`/proc/${pid}/exe`);
    } catch {
      // Kernel threads and processes we may not look into have no readable executable.
    }
  }
  return { ppid: stat.ppid, startTicks: stat.startTicks, exe };
}

/** Whether the executable's path, looked up from here, still names the running file. */
function pathNamesFile(binary: string, exe: { dev: number; ino: number }): boolean {
  try {
    const st = statProcLink(binary);
    return st !== null && st.dev === exe.dev && st.ino === exe.ino;
  } catch {
    return false;
  }
}

/** The process, or null when it no longer exists. Fields /proc refuses are left empty. */
export function readProcess(pid: number, options: ReadOptions = {}, known?: ProcessIdentity): ProcessInfo | null {
  const identity = known ?? readIdentity(pid);
  if (!identity) return null;
  const dir = `/proc/${pid}`;
  const loginuid = (readProcText(`${dir}/loginuid`) ?? '').trim();
  const auid = loginuid === '' ? UNSET_LOGINUID : Number(loginuid);
  const { cgroup, containerId } = cgroupIdentity(readProcUtf8(`${dir}/cgroup`));
  const binary = readProcLink(`${dir}/exe`);
  const info: ProcessInfo = {
    pid,
    uid: parseUid(readProcText(`${dir}/status`) ?? ''),
    auid: auid === UNSET_LOGINUID || !Number.isFinite(auid) ? null : auid,
    binary,
    arguments: parseArguments(readProcUtf8(`${dir}/cmdline`)),
    cwd: readProcLink(`${dir}/cwd`),
    startTime: new Date(bootTimeMs() + (identity.startTicks * 1000) / TICKS_PER_SECOND).toISOString(),
    execId: execId(options.nodeName ?? hostname(), identity.startTicks, pid),
    containerId,
    cgroup,
  };
  if (identity.exe) info.binaryFile = { dev: identity.exe.dev, ino: identity.exe.ino, pathMatches: pathNamesFile(binary, identity.exe) };
  if (options.tid !== undefined) info.tid = options.tid;
  return info;
}

/** Parent pid from /proc/<pid>/stat, or 0 when unknown. */
export function readParentPid(pid: number): number {
  return parseStat(readProcText(`/proc/${pid}/stat`) ?? '')?.ppid ?? 0;
}

/** A process and its parent. */
export function readProcessAndParent(pid: number, options: ReadOptions = {}): { process: ProcessInfo | null; parent: ProcessInfo | null } {
  const identity = readIdentity(pid);
  if (!identity) return { process: null, parent: null };
  const process = readProcess(pid, options, identity);
  const parent = identity.ppid > 0 ? readProcess(identity.ppid, { nodeName: options.nodeName }) : null;
  return { process, parent };
}
/** Stand-in when the accessor vanished before it could be read (killed by someone else). */
export function unknownProcess(pid: number): ProcessInfo {
  return {
    pid,
    uid: -1,
    auid: null,
    binary: '',
    arguments: [],
    cwd: '',
    startTime: new Date(0).toISOString(),
    execId: '',
    containerId: null,
    cgroup: '',
  };
}
