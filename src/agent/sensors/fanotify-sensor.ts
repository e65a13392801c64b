/**
 * The kernel sensor: decoy files watched through fanotify, each access reported with the
 * accessing process while that process waits for a verdict, and changes to the decoys themselves
 * reported as tamper events.
 *
 * Two fanotify groups: the access group (pre-content class, permission events, inode marks only,
 * so unrelated files never leave the kernel) and the tamper group (notification class with file
 * handles, which the kernel refuses to combine with permission events).
 *
 * The agent must never open a watched file synchronously from this event loop: the open would
 * wait for a verdict only this loop can give. Its asynchronous accesses are answered in the addon
 * and never reported.
 */
import { EventEmitter } from 'node:events';
import { constants, hostname } from 'node:os';
import type { DecoyChange, DecoyTamperEvent, FileAccessEvent } from '../../core/file-event.js';
import { classify, openFlags } from './access-kind.js';
import { AccessRequest, type Verdicts } from './access-request.js';
import { type Decoy, DecoyMarks, type Refreshed } from './decoy-marks.js';
import { SensorError } from './errors.js';
import {
  DENY_ERRNOS,
  FAN_ACCESS_PERM,
  denyResponse,
  FAN_ALLOW,
  FAN_CLASS_PRE_CONTENT,
  FAN_PRE_ACCESS,
  FAN_Q_OVERFLOW,
  FAN_REPORT_PIDFD,
  GROUP_ACCESS,
  GROUP_TAMPER,
} from './fanotify-abi.js';
import { procFdProbe } from './fd-probe.js';
import { findHeldFds } from './held-fds.js';
import { loadNative, type NativeBinding, type NativeHandle, type RawEvent } from './native.js';
import { ProcessCache } from './process-cache.js';
import { knownFacts, readProcess, unknownProcess } from './process-context.js';
import { parseSyscallLine, readBlockedSyscall, soleThread } from './syscall-info.js';
import { tamperChanges } from './tamper.js';

export interface FanotifySensorOptions {
  /** Permission events left unanswered this long are allowed by the addon. Default 5000 ms. */
  replyTimeoutMs?: number;
  /** Node name in exec ids; default the host name. */
  nodeName?: string;
}

export interface SensorWarning {
  code: 'late_verdict' | 'errno_refused' | 'event_failed' | 'tamper_overflow' | 'tamper_failed';
  message: string;
  path?: string;
}

export interface SensorEvents {
  access: [AccessRequest];
  tamper: [DecoyTamperEvent];
  warning: [SensorWarning];
  /** The sensor stopped reading events; it should be closed and reopened. */
  error: [Error];
}

export interface WatchedDecoy {
  path: string;
  dev: number;
  ino: number;
  /** False on filesystems without pre-content events (tmpfs): writes are reported after the
   * fact and cannot be denied (deny the write-mode open instead). */
  blockingWrites: boolean;
  /** Why the path no longer leads to the decoy (a directory on it renamed, deleted or mounted
   * over, a mount over the file); absent while it does. */
  unreachable?: string;
}

export interface SensorCapabilities {
  /** FAN_PRE_ACCESS available: writes are seen before they happen and can be denied. */
  preContent: boolean;
  /** Errnos deny() can return; only EPERM without the pre-content class. */
  denyErrnos: readonly string[];
  /** Signals go through the event's pidfd rather than the pid. */
  pidfd: boolean;
}

const CLASS_BITS = 0x0c;
const NOT_PENDING = -2;

export class FanotifySensor extends EventEmitter<SensorEvents> {
  readonly capabilities: SensorCapabilities;
  private readonly native: NativeBinding;
  private readonly access: NativeHandle;
  private readonly tamper: NativeHandle;
  private readonly marks: DecoyMarks;
  private readonly nodeName: string;
  private readonly verdicts: Verdicts;
  private readonly processes: ProcessCache;
  private heldReported = new Set<string>();
  private closed = false;

  constructor(options: FanotifySensorOptions = {}) {
    super();
    this.native = loadNative();
    this.nodeName = options.nodeName ?? hostname();
    this.processes = new ProcessCache(this.nodeName);
    const timeout = options.replyTimeoutMs ?? 5000;
    this.access = this.openGroup(GROUP_ACCESS, timeout, (events) => {
      for (const raw of events) this.onAccess(raw);
    });
    try {
      this.tamper = this.openGroup(GROUP_TAMPER, timeout, (events) => {
        for (const raw of events) this.onTamper(raw);
      });
    } catch (err) {
      this.native.close(this.access);
      throw err;
    }
    const flags = this.native.stats(this.access).initFlags;
    const preContent = (flags & CLASS_BITS) === FAN_CLASS_PRE_CONTENT;
    this.capabilities = {
      preContent,
      denyErrnos: preContent ? [...DENY_ERRNOS] : ['EPERM'],
      pidfd: (flags & FAN_REPORT_PIDFD) !== 0,
    };
    this.marks = new DecoyMarks(this.native, this.access, this.tamper);
    this.verdicts = {
      reply: (id, response, remember) => this.reply(id, response, remember),
      denyResponse: (errno) => this.denyResponseFor(errno),
      signal: (id, pid, sig) => this.signal(id, pid, sig),
    };
  }

  /** Starts watching a regular file (symlinks in the path are resolved once, here). */
  async watch(path: string): Promise<WatchedDecoy> {
    this.assertOpen();
    return describe(await this.marks.add(path));
  }

  async unwatch(path: string): Promise<boolean> {
    this.assertOpen();
    return this.marks.remove(path);
  }

  watched(): WatchedDecoy[] {
    return this.marks.all().map(describe);
  }

  /**
   * Reports each descriptor another process already holds on a watched decoy (held-fds.ts) as an
   * access nobody waits for (`held`): read for a descriptor open for reading, write for one open
   * for writing only. Each (process execution, descriptor, decoy) is reported once. Returns how
   * many were reported.
   */
  async reportHeld(): Promise<number> {
    if (this.closed) return 0;
    const inodes = new Set(this.marks.all().flatMap((d) => [...d.inodes.values()].map((i) => `${i.dev}:${i.ino}`)));
    const held = await findHeldFds(inodes);
    const seen = new Set<string>();
    let reported = 0;
    for (const h of held) {
      const [dev, ino] = h.key.split(':').map(Number) as [number, number];
      const decoy = this.marks.forInode(dev, ino);
      const context = this.processes.read(h.pid);
      if (!decoy || !context.process || this.closed) continue;
      const key = `${context.process.execId}:${h.fd}:${h.key}`;
      seen.add(key);
      if (this.heldReported.has(key)) continue;
      const event: FileAccessEvent = {
        time: new Date().toISOString(),
        access: h.accessMode === 1 ? 'write' : 'read',
        path: h.path || decoy.path,
        dev,
        ino,
        permission: false,
        held: true,
        process: context.process,
        parent: context.parent,
      };
      if (this.listenerCount('access') > 0) this.emit('access', new AccessRequest(event, decoy.path, null, 0, this.verdicts));
      reported++;
    }
    // Forget descriptors since closed, so the set stays as small as what is held.
    this.heldReported = seen;
    return reported;
  }

  /** Looks at every decoy's path again: mounts raise no event, so the rescan looks for them. */
  recheckAll(): void {
    if (this.closed) return;
    for (const decoy of this.marks.all()) this.recheck(decoy, 0, 0);
  }

  /** Permission events waiting for JavaScript, how many the timeout allowed, how many plain
   * reads' pre-access events the addon allowed without delivering them, and how many reads and
   * opens it allowed after an allowRepeats() (delivered answered). */
  stats(): { pending: number; expired: number; readsAllowed: number; fastAllowed: number } {
    if (this.closed) return { pending: 0, expired: 0, readsAllowed: 0, fastAllowed: 0 };
    const { pending, expired, readsAllowed, fastAllowed } = this.native.stats(this.access);
    return { pending, expired, readsAllowed, fastAllowed };
  }

  /**
   * Makes the addon forget every allowRepeats(): call it as soon as the policies, or the names
   * the watched files go by, change, so that an access it would let through is judged again.
   */
  forgetRepeats(): void {
    if (!this.closed) this.native.forget(this.access);
  }

  /** Allows whatever still waits, removes every mark and closes both groups. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.native.close(this.access);
    this.native.close(this.tamper);
    await this.marks.removeAll();
  }

  private openGroup(kind: number, timeout: number, handle: (events: RawEvent[]) => void): NativeHandle {
    try {
      return this.native.open(kind, timeout, (events, errno) => {
        handle(events);
        if (errno) this.emit('error', new SensorError(`reading fanotify events failed (errno ${errno})`, { errno }));
      });
    } catch (err) {
      throw new SensorError(`fanotify is unavailable: ${(err as Error).message} (root and CONFIG_FANOTIFY_ACCESS_PERMISSIONS are required)`, {}, err);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SensorError('the sensor is closed');
  }

  /**
   * Everything here is synchronous: the decision is made from what can be read without leaving
   * the event loop (the decoy, the policies, the process from /proc), the listener replies, and
   * only then does anything slower (export, spool, report) start.
   */
  private onAccess(raw: RawEvent): void {
    const time = eventTime(raw);
    const { dev, ino } = raw;
    let request: AccessRequest | undefined;
    try {
      const decoy = dev === undefined || ino === undefined ? undefined : this.marks.forInode(dev, ino);
      if (!decoy || dev === undefined || ino === undefined) return void this.reply(raw.id, FAN_ALLOW);
      const known = knownFacts(raw);
      // A read (FAN_ACCESS_PERM) needs the syscall only for the thread, which a single-threaded
      // process makes plain without it.
      const sole = raw.mask === FAN_ACCESS_PERM ? (known.stat ? (known.stat.threads === 1 ? raw.pid : null) : soleThread(raw.pid)) : null;
      // An event the addon answered (allowRepeats) was a permission event all the same; its
      // process has moved on, so only the line the addon read while it waited describes it.
      const permission = raw.id !== 0 || raw.answered === true;
      const sys = sole !== null || !permission ? null : raw.answered ? parseSyscallLine(raw.pid, raw.syscall ?? '') : readBlockedSyscall(raw.pid, raw.syscall);
      const access = classify(raw.mask, sys, procFdProbe(raw.pid, dev, ino));
      // Most pre-access events are reads that FAN_ACCESS_PERM reports next: no context needed
      // (the addon answers those of single-threaded processes itself).
      if (access === 'skip') return void this.reply(raw.id, FAN_ALLOW);
      const context = this.processes.read(raw.pid, known);
      const process = context.process ?? unknownProcess(raw.pid);
      const tid = sys?.tid ?? sole;
      if (tid !== null) process.tid = tid;
      const event: FileAccessEvent = {
        time,
        access,
        path: raw.path ?? decoy.path,
        dev,
        ino,
        permission,
        process,
        parent: context.parent,
      };
      const flags = access === 'open' || access === 'exec' ? openFlags(sys) : null;
      request = new AccessRequest(event, decoy.path, flags, raw.id, this.verdicts);
      if (this.closed || this.listenerCount('access') === 0) request.allow();
      else this.emit('access', request);
    } catch (err) {
      // Whatever failed (reading /proc, a listener throwing), the process must not stay blocked.
      if (request) request.allow();
      else this.reply(raw.id, FAN_ALLOW);
      this.warn('event_failed', `access event could not be processed: ${(err as Error).message}`, raw.path);
    }
  }

  private onTamper(raw: RawEvent): void {
    if (raw.mask & FAN_Q_OVERFLOW) {
      this.warn('tamper_overflow', 'tamper events overflowed; re-checking every decoy');
      for (const decoy of this.marks.all()) this.recheck(decoy, 0, 0);
      return;
    }
    for (const decoy of this.marks.forTamperEvent(raw)) this.recheck(decoy, raw.mask, raw.pid);
  }

  /** Looks at the decoy path again and reports what changed since the last look. */
  private recheck(decoy: Decoy, mask: number, pid: number): void {
    const time = new Date().toISOString();
    // Read now, before the refresh: whoever deleted or replaced the decoy is often gone a moment
    // later. When it is already gone, the event still names its pid.
    const process = pid > 0 ? (readProcess(pid, { nodeName: this.nodeName }) ?? unknownProcess(pid)) : null;
    this.marks
      .refresh(decoy)
      .then((seen) => {
        const changes = seen && !this.closed ? reportedChanges(seen, mask) : [];
        if (changes.length === 0) return;
        for (const change of changes) this.emit('tamper', { time, path: decoy.path, change, process });
      })
      .catch((err: unknown) => {
        this.warn('tamper_failed', `tamper check failed: ${(err as Error).message}`, decoy.path);
      });
  }

  private reply(id: number, response: number, remember = false): boolean {
    if (id === 0 || this.closed) return false;
    const rc = this.native.reply(this.access, id, response, remember);
    if (rc === NOT_PENDING) {
      this.warn('late_verdict', 'verdict came after the reply timeout; the access was already allowed');
      return false;
    }
    if (rc > 0) this.warn('errno_refused', `the kernel refused errno ${rc} in a deny; denied with EPERM`);
    return true;
  }

  private denyResponseFor(errno: number | string | undefined): number {
    const name = typeof errno === 'number' ? errnoName(Math.abs(errno)) : (errno ?? 'EPERM');
    if (name && this.capabilities.denyErrnos.includes(name)) return denyResponse(constants.errno[name as keyof typeof constants.errno]);
    this.warn('errno_refused', `deny with ${String(errno)} is not possible here; denying with EPERM`);
    return denyResponse(constants.errno.EPERM);
  }

  private signal(id: number, pid: number, sig: number): boolean {
    if (id !== 0 && !this.closed) {
      const rc = this.native.signal(this.access, id, sig);
      // Not waiting any more (answered or expired): the pid is all that is left to signal.
      if (rc !== NOT_PENDING) return rc === 0;
    }
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  }

  private warn(code: SensorWarning['code'], message: string, path?: string): void {
    this.emit('warning', path === undefined ? { code, message } : { code, message, path });
  }
}

/** What a second look at a decoy tells: a path that stopped leading to it, or what changed. */
function reportedChanges(seen: Refreshed, mask: number): DecoyChange[] {
  if (seen.unreachable) return seen.wasUnreachable ? [] : ['unreachable'];
  if (seen.restored) return [];
  return tamperChanges(seen.before, seen.after, mask);
}

/** When the addon read the event; it may reach JavaScript later (the addon answers some itself). */
function eventTime(raw: RawEvent): string {
  return new Date(raw.timeMs ?? Date.now()).toISOString();
}

function errnoName(n: number): string | undefined {
  return Object.entries(constants.errno).find(([, v]) => v === n)?.[0];
}

function describe(decoy: Decoy): WatchedDecoy {
  const current = decoy.state && [...decoy.inodes.values()].find((i) => i.dev === decoy.state?.dev && i.ino === decoy.state.ino);
  const watched: WatchedDecoy = {
    path: decoy.path,
    dev: decoy.state?.dev ?? 0,
    ino: decoy.state?.ino ?? 0,
    blockingWrites: current ? (current.accessMask & FAN_PRE_ACCESS) !== 0 : false,
  };
  if (decoy.unreachable) watched.unreachable = decoy.unreachable;
  return watched;
}
