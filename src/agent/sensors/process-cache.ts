/**
 * Process contexts kept per execution, so a process touching a decoy again costs the cheap reads
 * that prove it is the same execution, not the whole context (about 10 /proc reads, 100-200 µs on
 * a busy host). A new pid, a reused pid (other start time) or an exec (other executable) reads
 * everything again.
 *
 * Per event the accessor costs: stat (start time, parent pid), a stat of the exe link (the
 * running file) and a stat of /proc/<pid> (its owner follows the effective uid and gid, so a
 * setuid() without an exec shows there, and then the uids are read again). The parent costs one
 * stat of its exe link: while the child lives, an unchanged parent pid is the same parent process
 * (a parent that dies is replaced by the reaper), and the exe link shows a parent's exec.
 * For a blocked accessor the addon has made these four reads already (KnownFacts); held
 * descriptors and tamper events make them here.
 */
import { statSync } from 'node:fs';
import type { ProcessInfo } from '../../core/file-event.js';
import { type KnownFacts, parseUid, readIdentity, readProcess, type ProcessIdentity } from './process-context.js';
import { readProcText, statProcLink } from './proc-read.js';

interface Entry {
  identity: ProcessIdentity;
  /** Owner of /proc/<pid> when last read: "uid:gid". */
  owner: string;
  info: ProcessInfo;
}

const sameFile = (a: ProcessIdentity['exe'], b: ProcessIdentity['exe']): boolean => a?.dev === b?.dev && a?.ino === b?.ino;
const sameExecution = (a: ProcessIdentity, b: ProcessIdentity): boolean => a.startTicks === b.startTicks && sameFile(a.exe, b.exe);

function ownerOf(pid: number): string {
  try {
    const st = statSync(`/proc/${pid}`, { throwIfNoEntry: false });
    return st ? `${st.uid}:${st.gid}` : '';
  } catch {
    return '';
  }
}

function exeOf(pid: number): ProcessIdentity['exe'] {
  try {
    return statProcLink(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

export class ProcessCache {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly nodeName: string,
    private readonly max = 2048,
  ) {}

  /** The process and its parent as they are now; process null when it no longer exists. `known`:
   * what the addon already read of a blocked accessor; the rest is read here. */
  read(pid: number, known: KnownFacts = {}): { process: ProcessInfo | null; parent: ProcessInfo | null } {
    const identity = readIdentity(pid, known);
    if (!identity) {
      this.entries.delete(pid);
      return { process: null, parent: null };
    }
    const cached = this.entries.get(pid);
    // The parent shortcut holds only for the same execution of the accessor: a reused pid's
    // parent is someone else, even under the same parent pid.
    const sameParent = cached !== undefined && sameExecution(cached.identity, identity) && cached.identity.ppid === identity.ppid;
    const process = this.accessor(pid, identity, cached, known.owner);
    if (!process) return { process: null, parent: null };
    if (identity.ppid <= 0) return { process, parent: null };
    const parentEntry = this.entries.get(identity.ppid);
    const parentExe = known.parentExe ?? exeOf(identity.ppid);
    if (sameParent && parentEntry && sameFile(parentEntry.identity.exe, parentExe)) return { process, parent: { ...parentEntry.info } };
    const parentIdentity = readIdentity(identity.ppid, parentExe ? { exe: parentExe } : {});
    return { process, parent: parentIdentity ? this.fill(identity.ppid, parentIdentity) : null };
  }

  /** A copy, so callers may set fields (tid) without changing the cached entry. */
  private accessor(pid: number, identity: ProcessIdentity, cached: Entry | undefined, knownOwner: string | undefined): ProcessInfo | null {
    if (cached && sameExecution(cached.identity, identity)) {
      cached.identity = identity;
      // Most recently used last: an execution still touching decoys stays cached, as reads the
      // addon answered (allowRepeats) are reported from this entry after the process moved on.
      this.entries.delete(pid);
      this.entries.set(pid, cached);
      const owner = knownOwner ?? ownerOf(pid);
      if (owner !== cached.owner) {
        cached.owner = owner;
        cached.info.uid = parseUid(readProcText(`/proc/${pid}/status`) ?? '');
      }
      return { ...cached.info };
    }
    return this.fill(pid, identity, knownOwner);
  }

  private fill(pid: number, identity: ProcessIdentity, knownOwner?: string): ProcessInfo | null {
    const owner = knownOwner ?? ownerOf(pid);
    const info = readProcess(pid, { nodeName: this.nodeName }, identity);
    if (!info) return null;
    this.entries.delete(pid);
    this.entries.set(pid, { identity, owner, info });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return { ...info };
  }
}
