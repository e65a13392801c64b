/**
 * Who is touching the decoy, read from /proc while the process is still blocked on the sensor's
 * verdict (so its /proc entry is guaranteed to exist and describe the accessor).
 *
 * Reads are asynchronous on purpose: /proc/<pid>/cmdline reads the target's memory, and a
 * hostile process can make that stall (userfaultfd, FUSE-backed mappings). Stalling a libuv pool
 * thread is survivable; stalling the event loop would also stall every verdict and the timeout
 * that answers them.
 */
import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ProcessInfo } from '../../core/file-event.js';
import { cgroupIdentity } from './container-id.js';

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every architecture Linux and Node share. */
const TICKS_PER_SECOND = 100;
const NS_PER_TICK = 1_000_000_000 / TICKS_PER_SECOND;
const UNSET_LOGINUID = 4294967295;

export interface ProcStat {
  ppid: number;
  /** Start time in clock ticks after boot. */
  startTicks: number;
}

/** Fields after the command name, which may itself contain spaces and parentheses. */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5); ppid is field 4, starttime field 22.
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  return Number.isFinite(ppid) && Number.isFinite(startTicks) ? { ppid, startTicks } : null;
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

let bootMs: Promise<number> | undefined;

/** Boot time from /proc/stat btime; the kernel keeps it fixed, so it is read once. */
function bootTimeMs(): Promise<number> {
  bootMs ??= readFile('/proc/stat', 'utf8').then((text) => Number(/^btime (\d+)$/m.exec(text)?.[1] ?? 0) * 1000);
  return bootMs;
}

const orEmpty = (p: Promise<string>): Promise<string> => p.catch(() => '');

export interface ReadOptions {
  nodeName?: string;
  /** Thread that made the access, when known. */
  tid?: number;
}

/** The process, or null when it no longer exists. Fields /proc refuses are left empty. */
export async function readProcess(pid: number, options: ReadOptions = {}): Promise<ProcessInfo | null> {
  const dir = `/proc/${pid}`;
  const [statText, status, cmdline, binary, cwd, loginuid, cgroupFile, boot] = await Promise.all([
    orEmpty(readFile(`${dir}/stat`, 'utf8')),
    orEmpty(readFile(`${dir}/status`, 'utf8')),
    orEmpty(readFile(`${dir}/cmdline`, 'utf8')),
    orEmpty(readlink(`${dir}/exe`)),
    orEmpty(readlink(`${dir}/cwd`)),
    orEmpty(readFile(`${dir}/loginuid`, 'utf8')),
    orEmpty(readFile(`${dir}/cgroup`, 'utf8')),
    bootTimeMs(),
  ]);
  const stat = parseStat(statText);
  if (!stat) return null;
  const auid = loginuid === '' ? UNSET_LOGINUID : Number(loginuid);
  const { cgroup, containerId } = cgroupIdentity(cgroupFile);
  const info: ProcessInfo = {
    pid,
    uid: parseUid(status),
    auid: auid === UNSET_LOGINUID || !Number.isFinite(auid) ? null : auid,
    binary,
    arguments: parseArguments(cmdline),
    cwd,
    startTime: new Date(boot + (stat.startTicks * 1000) / TICKS_PER_SECOND).toISOString(),
    execId: execId(options.nodeName ?? hostname(), stat.startTicks, pid),
    containerId,
    cgroup,
  };
  if (options.tid !== undefined) info.tid = options.tid;
  return info;
}

/** Parent pid from /proc/<pid>/stat, or 0 when unknown. */
export async function readParentPid(pid: number): Promise<number> {
  return parseStat(await orEmpty(readFile(`/proc/${pid}/stat`, 'utf8')))?.ppid ?? 0;
}

/** A process and its parent, read concurrently. */
export async function readProcessAndParent(pid: number, options: ReadOptions = {}): Promise<{ process: ProcessInfo | null; parent: ProcessInfo | null }> {
  const [process, parent] = await Promise.all([
    readProcess(pid, options),
    readParentPid(pid).then((ppid) => (ppid > 0 ? readProcess(ppid, { nodeName: options.nodeName }) : null)),
  ]);
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
