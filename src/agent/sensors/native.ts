/**
 * Loads the fanotify addon (native/) and types its surface. The addon is a thin pipe: it owns
 * the fds, answers what JavaScript does not, and reads the accessor's /proc facts while it waits;
 * every decision is made in TypeScript, but for two that cannot change a verdict: a pre-access
 * event of a plain read is allowed in the addon, and so is a read JavaScript said in advance it
 * would allow (reply's `remember`; native/README.md).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SensorError } from './errors.js';

/**
 * What the addon read from /proc/<pid> while the accessor waited on an access-group permission
 * event (native/src/proc.c); each field is absent when it could not be read, and the reader then
 * reads it itself.
 */
export interface AccessorFacts {
  /** /proc/<pid>/stat. */
  stat?: string;
  /** /proc/<pid>/syscall, only for a single-threaded process's open, exec and pre-access events. */
  syscall?: string;
  /** stat() of /proc/<pid>/exe: the running executable. */
  exeDev?: number;
  exeIno?: number;
  /** Owner of /proc/<pid>, which follows the effective uid and gid. */
  ownerUid?: number;
  ownerGid?: number;
  /** stat() of /proc/<ppid>/exe, ppid as in stat. */
  parentExeDev?: number;
  parentExeIno?: number;
}

/** One event as the addon hands it over. Access-group events carry the file (and, for permission
 * events, AccessorFacts); tamper-group events carry file-handle keys (see fidKey) and the entry
 * name. */
export interface RawEvent extends AccessorFacts {
  /** When the addon read the event (ms since the epoch): an event the addon answered itself may
   * reach JavaScript later. */
  timeMs?: number;
  mask: number;
  pid: number;
  /** Non-zero when the process waits for a verdict: pass it to reply(). */
  id: number;
  /** A permission event the addon already allowed (id 0): a read or an open by a process
   * execution whose earlier event on the same file JavaScript allowed with reply's `remember`. */
  answered?: true;
  path?: string;
  dev?: number;
  ino?: number;
  mode?: number;
  /** FAN_PRE_ACCESS byte range. */
  offset?: number;
  count?: number;
  dir?: string;
  name?: string;
  obj?: string;
}

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface NativeStats {
  pending: number;
  /** Permission events the timeout answered with allow. */
  expired: number;
  /** Pre-access events answered in the addon (a plain read's, reported by the FAN_ACCESS_PERM
   * that follows) and never delivered. */
  readsAllowed: number;
  /** Reads and opens the addon allowed because JavaScript had allowed the same execution's
   * earlier event on the file with `remember`; each still delivered, answered. */
  fastAllowed: number;
  /** The fanotify_init flags the kernel accepted (class, FAN_REPORT_*). */
  initFlags: number;
}

export interface NativeBinding {
  open(kind: number, timeoutMs: number, onEvents: (events: RawEvent[], errno: number) => void): NativeHandle;
  mark(handle: NativeHandle, flags: number, mask: number, dirfd: number, path: string | null): void;
  /**
   * 0, -2 (not pending: answered or expired), or the errno the kernel refused (verdict kept).
   * `remember` with an allow: the same process execution's later reads and opens of the same
   * file, through the same name, are allowed by the addon and delivered answered
   * (RawEvent.answered).
   */
  reply(handle: NativeHandle, id: number, response: number, remember?: boolean): number;
  /** Forgets every execution `remember` kept (the policies or the watched names changed). */
  forget(handle: NativeHandle): void;
  /** 0 or -errno. */
  signal(handle: NativeHandle, id: number, signal: number): number;
  stats(handle: NativeHandle): NativeStats;
  close(handle: NativeHandle): void;
  /** Identity of the file behind fd in the format tamper events use (fsid.type.handle). */
  fidKey(fd: number): string;
}

export const ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/tripline_fanotify.node', import.meta.url));

let loaded: NativeBinding | undefined;

export function loadNative(): NativeBinding {
  if (loaded) return loaded;
  if (!existsSync(ADDON_PATH)) {
    throw new SensorError(
      `the fanotify addon is not built (${ADDON_PATH} is missing): run \`make native\` (it builds against the Node.js 24 headers in .runtime/node)`,
      { path: ADDON_PATH },
    );
  }
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH) as NativeBinding;
  } catch (err) {
    throw new SensorError(`the fanotify addon at ${ADDON_PATH} failed to load; rebuild it`, { path: ADDON_PATH }, err);
  }
  return loaded;
}
