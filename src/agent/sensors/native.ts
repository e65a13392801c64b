/**
 * Loads the fanotify addon (native/) and types its surface. The addon is a thin pipe: it owns
 * the fds and answers what JavaScript does not; every decision is made in TypeScript.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SensorError } from './errors.js';

/** One event as the addon hands it over. Access-group events carry the file; tamper-group events
 * carry file-handle keys (see fidKey) and the entry name. */
export interface RawEvent {
  mask: number;
  pid: number;
  /** Non-zero when the process waits for a verdict: pass it to reply(). */
  id: number;
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
  /** The fanotify_init flags the kernel accepted (class, FAN_REPORT_*). */
  initFlags: number;
}

export interface NativeBinding {
  open(kind: number, timeoutMs: number, onEvents: (events: RawEvent[], errno: number) => void): NativeHandle;
  mark(handle: NativeHandle, flags: number, mask: number, dirfd: number, path: string | null): void;
  /** 0, -2 (not pending: answered or expired), or the errno the kernel refused (verdict kept). */
  reply(handle: NativeHandle, id: number, response: number): number;
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
