/**
 * Turns a fanotify mask (plus, for FAN_PRE_ACCESS and FAN_OPEN_PERM, the blocked syscall) into
 * the access Tripline reports. FAN_PRE_ACCESS fires before reads and writes alike; a read is
 * followed by FAN_ACCESS_PERM, which reports it, so a pre-access that is a read is answered
 * without a report and a pre-access that is a write becomes the 'write' event.
 */
import type { FileAccess } from '../../core/file-event.js';
import { FAN_ACCESS_PERM, FAN_MODIFY, FAN_OPEN_EXEC_PERM, FAN_OPEN_PERM, FAN_PRE_ACCESS } from './fanotify-abi.js';
import type { BlockedSyscall } from './syscall-info.js';

interface SyscallTable {
  read: number[];
  write: number[];
  truncate: number[];
  mmap: number[];
  /** sendfile, splice, copy_file_range: index of the destination fd argument. */
  transfer: Record<number, number>;
  /** open-like syscalls: index of the flags argument. */
  open: Record<number, number>;
  creat?: number;
}

const TABLES: Partial<Record<NodeJS.Architecture, SyscallTable>> = {
  x64: {
    read: [0, 17, 19, 295, 327], // read pread64 readv preadv preadv2
    write: [1, 18, 20, 296, 328, 285], // write pwrite64 writev pwritev pwritev2 fallocate
    truncate: [76, 77],
    mmap: [9],
    transfer: { 40: 0, 275: 2, 326: 2 },
    open: { 2: 1, 257: 2, 304: 2 }, // open openat open_by_handle_at
    creat: 85,
  },
  arm64: {
    read: [63, 67, 65, 69, 286],
    write: [64, 68, 66, 70, 287, 47],
    truncate: [45, 46],
    mmap: [222],
    transfer: { 71: 0, 76: 2, 285: 2 },
    open: { 56: 2, 265: 2 },
  },
};

const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const CREAT_FLAGS = 0o1101; // O_WRONLY | O_CREAT | O_TRUNC

/** Questions about the accessor's fds, answered from /proc (see fd-probe.ts). */
export interface FdProbe {
  /** Does fd refer to the accessed file? */
  refersToFile(fd: number): boolean;
  /** Does the process hold the accessed file open for writing? */
  holdsWritable(): boolean;
}

/** Reported access, or 'skip' for a pre-access read that FAN_ACCESS_PERM reports next. */
export type Classified = FileAccess | 'skip';

export function classify(mask: number, sys: BlockedSyscall | null, fds: FdProbe, arch: NodeJS.Architecture = process.arch): Classified {
  if (mask & FAN_OPEN_EXEC_PERM) return 'exec';
  if (mask & FAN_OPEN_PERM) return 'open';
  if (mask & FAN_ACCESS_PERM) return 'read';
  if (mask & FAN_MODIFY) return 'write';
  if (!(mask & FAN_PRE_ACCESS)) return 'open';
  const table = TABLES[arch];
  if (sys && sys.nr < 0) return 'mmap'; // blocked in a page fault on a mapping of the file
  if (sys && table) {
    if (table.read.includes(sys.nr)) return 'skip';
    if (table.write.includes(sys.nr)) return 'write';
    if (table.truncate.includes(sys.nr)) return 'truncate';
    if (table.mmap.includes(sys.nr)) return 'mmap';
    const out = table.transfer[sys.nr];
    if (out !== undefined) return fds.refersToFile(Number(sys.args[out] ?? -1n)) ? 'write' : 'skip';
  }
  // io_uring workers, 32-bit callers, unknown syscalls: only a writable fd can write.
  return fds.holdsWritable() ? 'write' : 'skip';
}

/** open(2) flags of the blocked open, or null when the syscall does not carry them in a register. */
export function openFlags(sys: BlockedSyscall | null, arch: NodeJS.Architecture = process.arch): number | null {
  const table = TABLES[arch];
  if (!sys || !table) return null;
  if (sys.nr === table.creat) return CREAT_FLAGS;
  const index = table.open[sys.nr];
  const value = index === undefined ? undefined : sys.args[index];
  return value === undefined ? null : Number(value & 0xffff_ffffn);
}

/** What an open with these flags may do. */
export function openMode(flags: number): 'read' | 'write' | 'readwrite' {
  const mode = flags & O_ACCMODE;
  return mode === O_WRONLY ? 'write' : mode === O_RDWR ? 'readwrite' : 'read';
}
