import type { FileAccess } from '../core/file-event.js';
import type { ArgType } from './model.js';

/**
 * The kernel functions and LSM hooks a policy may name, mapped onto what the fanotify sensor
 * reports. The sensor sees accesses, not kernel calls, so each hook stands for the accesses it
 * would have fired on, and each of its arguments for a value the event can supply.
 */

/** What a kernel argument is, which decides the values a policy can match it against. */
export type ParamKind =
  | 'file' // struct file *: the accessed file, matched by path
  | 'path' // const struct path *: likewise
  | 'mask' // MAY_READ / MAY_WRITE, derived from the access
  | 'fd' // the descriptor being installed; its number is not observable
  | 'prot' // mmap protection bits; not observable
  | 'flags'; // mmap flags; not observable

export interface HookInfo {
  kind: 'kprobe' | 'lsmhook';
  name: string;
  /** Kind of each kernel argument, by position. */
  params: readonly ParamKind[];
  accesses: readonly FileAccess[];
}

export const MAY_WRITE = 2;
export const MAY_READ = 4;

const KPROBES: readonly HookInfo[] = [
  { kind: 'kprobe', name: 'security_file_permission', params: ['file', 'mask'], accesses: ['read', 'write'] },
  { kind: 'kprobe', name: 'security_file_open', params: ['file'], accesses: ['open'] },
  { kind: 'kprobe', name: 'fd_install', params: ['fd', 'file'], accesses: ['open'] },
  { kind: 'kprobe', name: 'security_file_truncate', params: ['file'], accesses: ['truncate'] },
  { kind: 'kprobe', name: 'security_path_truncate', params: ['path'], accesses: ['truncate'] },
  // The sensor reports a mapping (the mmap call and page faults on it) where pre-content events
  // exist; elsewhere (tmpfs, kernels before 6.14) a file is opened before it can be mapped, so
  // opens stand in for mappings.
  { kind: 'kprobe', name: 'security_mmap_file', params: ['file', 'prot', 'flags'], accesses: ['mmap', 'open'] },
];

const LSM_HOOKS: readonly HookInfo[] = [
  { kind: 'lsmhook', name: 'file_open', params: ['file'], accesses: ['open'] },
  { kind: 'lsmhook', name: 'file_permission', params: ['file', 'mask'], accesses: ['read', 'write'] },
];

export function findHook(kind: HookInfo['kind'], name: string): HookInfo | undefined {
  return (kind === 'kprobe' ? KPROBES : LSM_HOOKS).find((h) => h.name === name);
}

export function supportedHookNames(kind: HookInfo['kind']): string[] {
  return (kind === 'kprobe' ? KPROBES : LSM_HOOKS).map((h) => h.name);
}

/** Argument types a policy may declare, for each kind of kernel argument. */
export const TYPES_FOR_PARAM: Record<ParamKind, readonly ArgType[]> = {
  file: ['file', 'nop'],
  path: ['path', 'nop'],
  // Tetragon's fd type names the file behind the descriptor: here, the file being installed.
  fd: ['int', 'uint32', 'fd', 'nop'],
  mask: ['int', 'uint32', 'nop'],
  prot: ['int', 'uint32', 'nop'],
  flags: ['int', 'uint32', 'nop'],
};

/** The type Tetragon's `auto` (or an omitted type) resolves to. */
export const AUTO_TYPE: Record<ParamKind, ArgType> = {
  file: 'file',
  path: 'path',
  fd: 'int',
  mask: 'int',
  prot: 'uint32',
  flags: 'uint32',
};

export const ARG_TYPES: readonly ArgType[] = ['file', 'path', 'fd', 'int', 'uint32', 'nop'];

/** True when the argument's value is the accessed file's path. */
export function isPathValued(type: ArgType): boolean {
  return type === 'file' || type === 'path' || type === 'fd';
}

/** The MAY_* mask security_file_permission would have received for this access. */
export function maskForAccess(access: FileAccess): number | undefined {
  if (access === 'read') return MAY_READ;
  if (access === 'write') return MAY_WRITE;
  return undefined;
}
