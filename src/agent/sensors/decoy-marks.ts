/**
 * Which inodes are watched for which decoy, and the fanotify marks that watch them.
 *
 * Each watched inode is held by an O_PATH descriptor. O_PATH opens raise no fanotify event (so
 * the agent never waits on itself), and the descriptor names the exact inode that was checked:
 * marks go through /proc/self/fd/N, so a path swapped between check and mark cannot redirect
 * them, and a replaced or renamed decoy's old inode can still be unmarked later.
 */
import { close as closeCb, fstat as fstatCb, open as openCb, type Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SerialQueue } from '../../core/serial-queue.js';
import { realpathInContainer } from '../containers/resolve-in-root.js';
import { errnoCode, SensorError } from './errors.js';
import {
  ACCESS_MASK,
  ACCESS_MASK_NO_PRE_CONTENT,
  AT_FDCWD,
  FAN_MARK_ADD,
  FAN_MARK_ONLYDIR,
  FAN_MARK_REMOVE,
  FAN_DELETE_SELF,
  FAN_MOVE_SELF,
  TAMPER_ANCESTOR_MASK,
  TAMPER_DIR_MASK,
  TAMPER_INODE_MASK,
} from './fanotify-abi.js';
import type { NativeBinding, NativeHandle, RawEvent } from './native.js';
import { ancestorsOf, coveringMounts, readMountinfo } from './path-reach.js';

const openFd = promisify(openCb) as (path: string, flags: number) => Promise<number>;
const closeFd = promisify(closeCb);
const fstatFd = promisify(fstatCb) as (fd: number) => Promise<Stats>;

const O_PATH = 0o10000000;
const O_NOFOLLOW = 0o400000;
const O_DIRECTORY = 0o200000;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** What tamper detection compares between two looks at a decoy path. */
export interface FileState {
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
}

export function stateOf(st: Stats): FileState {
  return { dev: st.dev, ino: st.ino, mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs };
}

export const isRegular = (mode: number): boolean => (mode & S_IFMT) === S_IFREG;

export interface MarkedInode {
  fd: number;
  dev: number;
  ino: number;
  /** File-handle key, as tamper events report the object. */
  fid: string;
  /** The access-group mask in place; without FAN_PRE_ACCESS writes are seen only afterwards. */
  accessMask: number;
}

export interface Decoy {
  /** The path as watched (absolute). */
  readonly path: string;
  /** Where the file really lives (symlinks in the watched path resolved at watch time). */
  readonly dir: string;
  readonly name: string;
  /** Last known state of dir/name; null while nothing is there. */
  state: FileState | null;
  /** Every inode watched for this decoy: the current one, and earlier ones still alive. */
  readonly inodes: Map<string, MarkedInode>;
  /** The directories on the path as they were when watched ("dev:ino" by path). */
  ancestors: Map<string, string>;
  /** The mounts over the path when watched (coveringMounts()). */
  mounts: string;
  /** Why the path no longer leads to the decoy (a directory on it renamed, deleted or mounted
   * over, or a mount over the decoy); null while it does. */
  unreachable: string | null;
}

export interface Refreshed {
  before: FileState | null;
  after: FileState | null;
  /** Why the path no longer leads to the decoy, or null. */
  unreachable: string | null;
  wasUnreachable: boolean;
  /** Reachable again, and what is there is an inode the decoy had. */
  restored: boolean;
}

/** A directory on some decoy's path, marked for its own rename and deletion. */
interface WatchedAncestor {
  fd: number;
  fid: string;
  key: string;
  decoys: Set<Decoy>;
}

/** Two decoy paths may be hard links to one inode: it is marked once and shared. */
interface InodeEntry {
  inode: MarkedInode;
  owners: Decoy[];
}

interface WatchedDir {
  fd: number;
  fid: string;
  decoys: number;
}

const inodeKey = (dev: number, ino: number): string => `${dev}:${ino}`;
const entryKey = (dir: string, name: string): string => `${dir}\0${name}`;
const fdPath = (fd: number): string => `/proc/self/fd/${fd}`;

const IN_CONTAINER_ROOT = /^\/proc\/\d+\/root\//;

export class DecoyMarks {
  private readonly decoys = new Map<string, Decoy>();
  private readonly byEntry = new Map<string, Decoy>();
  private readonly byInode = new Map<string, InodeEntry>();
  private readonly byFid = new Map<string, InodeEntry>();
  private readonly dirs = new Map<string, WatchedDir>();
  private readonly dirByFid = new Map<string, string>();
  private readonly ancestors = new Map<string, WatchedAncestor>();
  private readonly ancestorByFid = new Map<string, WatchedAncestor>();
  /** watch, unwatch and refresh run one at a time: they share the maps and the reference counts,
   * and one change seen twice must compare against the state the first look left. */
  private readonly ops = new SerialQueue();

  constructor(
    private readonly native: NativeBinding,
    private readonly access: NativeHandle,
    private readonly tamper: NativeHandle,
  ) {}

  private serial<T>(op: () => Promise<T>): Promise<T> {
    return this.ops.run(op);
  }

  add(path: string): Promise<Decoy> {
    return this.serial(async () => {
      const abs = resolve(path);
      const existing = this.decoys.get(abs);
      if (existing) return existing;
      // realpath() would follow a container's absolute links against the host's root.
      const real = await (IN_CONTAINER_ROOT.test(abs) ? realpathInContainer(abs) : realpath(abs)).catch((err: unknown) => {
        throw new SensorError(`cannot watch ${abs}: ${errnoCode(err) ?? String(err)}`, { path: abs }, err);
      });
      const decoy: Decoy = {
        path: abs,
        dir: dirname(real),
        name: basename(real),
        state: null,
        inodes: new Map(),
        ancestors: new Map(),
        mounts: coveringMounts(await readMountinfo(), join(dirname(real), basename(real))),
        unreachable: null,
      };
      const current = await this.markCurrent(decoy);
      if (!current) throw new SensorError(`cannot watch ${abs}: not a regular file`, { path: abs });
      try {
        await this.retainDir(decoy.dir);
        await this.retainAncestors(decoy);
      } catch (err) {
        this.releaseAncestors(decoy);
        await this.releaseInodes(decoy);
        throw err;
      }
      decoy.state = current;
      this.decoys.set(abs, decoy);
      this.byEntry.set(entryKey(decoy.dir, decoy.name), decoy);
      return decoy;
    });
  }

  remove(path: string): Promise<boolean> {
    return this.serial(async () => {
      const decoy = this.decoys.get(resolve(path));
      if (!decoy) return false;
      this.decoys.delete(decoy.path);
      this.byEntry.delete(entryKey(decoy.dir, decoy.name));
      await this.releaseInodes(decoy);
      await this.releaseDir(decoy.dir);
      this.releaseAncestors(decoy);
      return true;
    });
  }

  async removeAll(): Promise<void> {
    for (const path of [...this.decoys.keys()]) await this.remove(path);
  }

  all(): Decoy[] {
    return [...this.decoys.values()];
  }

  get(path: string): Decoy | undefined {
    return this.decoys.get(resolve(path));
  }

  forInode(dev: number, ino: number): Decoy | undefined {
    return this.byInode.get(inodeKey(dev, ino))?.owners[0];
  }

  /** Decoys a tamper-group event may concern: by directory entry, or by the object's handle. */
  forTamperEvent(raw: RawEvent): Decoy[] {
    const found = new Set<Decoy>();
    const dir = raw.dir === undefined ? undefined : this.dirByFid.get(raw.dir);
    if (dir !== undefined && raw.name !== undefined) {
      const decoy = this.byEntry.get(entryKey(dir, raw.name));
      if (decoy) found.add(decoy);
    }
    const byObject = raw.obj === undefined ? undefined : this.byFid.get(raw.obj);
    for (const owner of byObject?.owners ?? []) found.add(owner);
    // A directory's own rename or deletion comes with its handle as the directory (name "."); the
    // entries created or deleted in it are not about the directory itself.
    const self = (raw.mask & (FAN_MOVE_SELF | FAN_DELETE_SELF)) !== 0;
    for (const key of self ? [raw.obj, raw.dir] : []) {
      const ancestor = key === undefined ? undefined : this.ancestorByFid.get(key);
      for (const decoy of ancestor?.decoys ?? []) found.add(decoy);
    }
    return [...found];
  }

  /**
   * Looks at the decoy path again (lstat: nothing is opened), marks a new inode found there, drops
   * inodes gone for good, and returns the states before and after. Null once the decoy is unwatched.
   */
  refresh(decoy: Decoy): Promise<Refreshed | null> {
    return this.serial(async () => {
      if (this.decoys.get(decoy.path) !== decoy) return null;
      const before = decoy.state;
      const wasUnreachable = decoy.unreachable !== null;
      const path = join(decoy.dir, decoy.name);
      const mountsNow = coveringMounts(await readMountinfo(), path);
      const st = await lstat(path).catch(() => null);
      const moved = await this.movedAncestor(decoy);
      decoy.unreachable = mountsNow !== decoy.mounts ? `the mounts over ${path} changed` : moved && !st ? moved : null;
      if (decoy.unreachable) {
        // Whatever the path shows now is not the decoy: nothing is marked for it.
        decoy.state = null;
        return { before, after: null, unreachable: decoy.unreachable, wasUnreachable, restored: false };
      }
      // The path leads to a file again through other directories (recreated, planted anew): watch
      // those directories from now on.
      if (moved) await this.reanchor(decoy);
      let after = st ? stateOf(st) : null;
      // Back where it was (a directory renamed back, a mount removed): the same inode, still held.
      const restored = wasUnreachable && after !== null && decoy.inodes.has(inodeKey(after.dev, after.ino));
      if (after && isRegular(after.mode) && (before?.dev !== after.dev || before.ino !== after.ino)) {
        after = (await this.markCurrent(decoy)) ?? after;
      }
      decoy.state = after;
      await this.prune(decoy);
      return { before, after, unreachable: null, wasUnreachable, restored };
    });
  }

  /** A directory on the decoy's path that is gone or another directory now, or null. */
  private async movedAncestor(decoy: Decoy): Promise<string | null> {
    for (const [dir, key] of decoy.ancestors) {
      const st = await lstat(dir).catch(() => null);
      if (!st) return `${dir} is gone (renamed or deleted)`;
      if (inodeKey(st.dev, st.ino) !== key) return `${dir} is another directory now (renamed or replaced)`;
    }
    return null;
  }

  private async reanchor(decoy: Decoy): Promise<void> {
    this.releaseAncestors(decoy);
    await this.retainAncestors(decoy);
    const known = this.dirs.get(decoy.dir);
    if (!known) return;
    const fd = await openFd(decoy.dir, O_PATH | O_DIRECTORY);
    try {
      this.native.mark(this.tamper, FAN_MARK_ADD | FAN_MARK_ONLYDIR, TAMPER_DIR_MASK, AT_FDCWD, fdPath(fd));
    } catch (err) {
      await closeFd(fd);
      throw markError(decoy.dir, err);
    }
    ignore(() => this.native.mark(this.tamper, FAN_MARK_REMOVE, TAMPER_DIR_MASK, AT_FDCWD, fdPath(known.fd)));
    await closeFd(known.fd).catch(() => undefined);
    this.dirByFid.delete(known.fid);
    known.fd = fd;
    known.fid = this.native.fidKey(fd);
    this.dirByFid.set(known.fid, decoy.dir);
  }

  /**
   * Marks whatever regular file is now at the decoy path (a replacement gets its marks here) and
   * returns its state; null when the path holds no regular file.
   */
  private async markCurrent(decoy: Decoy): Promise<FileState | null> {
    const fd = await openFd(join(decoy.dir, decoy.name), O_PATH | O_NOFOLLOW).catch(() => null);
    if (fd === null) return null;
    const st = await fstatFd(fd);
    const shared = this.byInode.get(inodeKey(st.dev, st.ino));
    if (!isRegular(st.mode) || shared) {
      await closeFd(fd);
      if (!isRegular(st.mode)) return null;
      if (shared && !shared.owners.includes(decoy)) {
        shared.owners.push(decoy);
        decoy.inodes.set(inodeKey(st.dev, st.ino), shared.inode);
      }
      return stateOf(st);
    }
    try {
      this.markInode(decoy, fd, st);
    } catch (err) {
      await closeFd(fd);
      throw err;
    }
    return stateOf(st);
  }

  /** Drops inodes that no longer exist anywhere (deleted, last link gone) except the current one. */
  private async prune(decoy: Decoy): Promise<void> {
    for (const [key, inode] of decoy.inodes) {
      if (decoy.state && key === inodeKey(decoy.state.dev, decoy.state.ino)) continue;
      const st = await fstatFd(inode.fd).catch(() => null);
      if (st && st.nlink > 0) continue;
      await this.releaseInode(decoy, key, inode);
    }
  }

  private markInode(decoy: Decoy, fd: number, st: Stats): void {
    let accessMask = ACCESS_MASK;
    try {
      this.native.mark(this.access, FAN_MARK_ADD, accessMask, AT_FDCWD, fdPath(fd));
    } catch (err) {
      // Pre-content events need filesystem support (ext4, xfs, btrfs; not tmpfs) and a 6.14+ kernel.
      const code = errnoCode(err);
      if (code !== 'EOPNOTSUPP' && code !== 'EINVAL') throw markError(decoy.path, err);
      accessMask = ACCESS_MASK_NO_PRE_CONTENT;
      this.native.mark(this.access, FAN_MARK_ADD, accessMask, AT_FDCWD, fdPath(fd));
    }
    try {
      this.native.mark(this.tamper, FAN_MARK_ADD, TAMPER_INODE_MASK, AT_FDCWD, fdPath(fd));
    } catch (err) {
      this.native.mark(this.access, FAN_MARK_REMOVE, accessMask, AT_FDCWD, fdPath(fd));
      throw markError(decoy.path, err);
    }
    const inode: MarkedInode = { fd, dev: st.dev, ino: st.ino, fid: this.native.fidKey(fd), accessMask };
    const key = inodeKey(st.dev, st.ino);
    const entry: InodeEntry = { inode, owners: [decoy] };
    decoy.inodes.set(key, inode);
    this.byInode.set(key, entry);
    this.byFid.set(inode.fid, entry);
  }

  private async releaseInodes(decoy: Decoy): Promise<void> {
    for (const [key, inode] of decoy.inodes) await this.releaseInode(decoy, key, inode);
  }

  private async releaseInode(decoy: Decoy, key: string, inode: MarkedInode): Promise<void> {
    decoy.inodes.delete(key);
    const entry = this.byInode.get(key);
    if (entry) entry.owners = entry.owners.filter((d) => d !== decoy);
    if (entry && entry.owners.length > 0) return;
    // The marks may already be gone with the inode; removal failures mean nothing is left to remove.
    ignore(() => this.native.mark(this.access, FAN_MARK_REMOVE, inode.accessMask, AT_FDCWD, fdPath(inode.fd)));
    ignore(() => this.native.mark(this.tamper, FAN_MARK_REMOVE, TAMPER_INODE_MASK, AT_FDCWD, fdPath(inode.fd)));
    this.byInode.delete(key);
    this.byFid.delete(inode.fid);
    await closeFd(inode.fd).catch(() => undefined);
  }

  private async retainDir(dir: string): Promise<void> {
    const known = this.dirs.get(dir);
    if (known) {
      known.decoys++;
      return;
    }
    const fd = await openFd(dir, O_PATH | O_DIRECTORY);
    try {
      this.native.mark(this.tamper, FAN_MARK_ADD | FAN_MARK_ONLYDIR, TAMPER_DIR_MASK, AT_FDCWD, fdPath(fd));
      const fid = this.native.fidKey(fd);
      this.dirs.set(dir, { fd, fid, decoys: 1 });
      this.dirByFid.set(fid, dir);
    } catch (err) {
      await closeFd(fd);
      throw markError(dir, err);
    }
  }

  /** Marks every directory on the decoy's path (shared between decoys) for rename and deletion. */
  private async retainAncestors(decoy: Decoy): Promise<void> {
    for (const dir of ancestorsOf(decoy.dir)) {
      const fd = await openFd(dir, O_PATH | O_DIRECTORY);
      const st = await fstatFd(fd).catch(async (err: unknown) => {
        await closeFd(fd);
        throw markError(dir, err);
      });
      const key = inodeKey(st.dev, st.ino);
      decoy.ancestors.set(dir, key);
      const known = this.ancestors.get(key);
      if (known) {
        known.decoys.add(decoy);
        await closeFd(fd);
        continue;
      }
      try {
        this.native.mark(this.tamper, FAN_MARK_ADD | FAN_MARK_ONLYDIR, TAMPER_ANCESTOR_MASK, AT_FDCWD, fdPath(fd));
      } catch (err) {
        await closeFd(fd);
        throw markError(dir, err);
      }
      const ancestor: WatchedAncestor = { fd, fid: this.native.fidKey(fd), key, decoys: new Set([decoy]) };
      this.ancestors.set(key, ancestor);
      this.ancestorByFid.set(ancestor.fid, ancestor);
    }
  }

  private releaseAncestors(decoy: Decoy): void {
    for (const key of decoy.ancestors.values()) {
      const known = this.ancestors.get(key);
      if (!known) continue;
      known.decoys.delete(decoy);
      if (known.decoys.size > 0) continue;
      ignore(() => this.native.mark(this.tamper, FAN_MARK_REMOVE, TAMPER_ANCESTOR_MASK, AT_FDCWD, fdPath(known.fd)));
      this.ancestors.delete(key);
      this.ancestorByFid.delete(known.fid);
      closeCb(known.fd, () => undefined);
    }
    decoy.ancestors.clear();
  }

  private async releaseDir(dir: string): Promise<void> {
    const known = this.dirs.get(dir);
    if (!known || --known.decoys > 0) return;
    ignore(() => this.native.mark(this.tamper, FAN_MARK_REMOVE, TAMPER_DIR_MASK, AT_FDCWD, fdPath(known.fd)));
    this.dirs.delete(dir);
    this.dirByFid.delete(known.fid);
    await closeFd(known.fd).catch(() => undefined);
  }
}

function markError(path: string, err: unknown): SensorError {
  return new SensorError(`fanotify cannot watch ${path}: ${(err as Error).message}`, { path, errno: errnoCode(err) }, err);
}

function ignore(fn: () => void): void {
  try {
    fn();
  } catch {
    // nothing to undo
  }
}
