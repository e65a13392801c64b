import { createHash } from 'node:crypto';
import type { ProcessInfo } from '../core/file-event.js';
import type { Hit } from '../store/repositories/hits.js';

function asProcess(value: unknown): Pick<ProcessInfo, 'binary' | 'uid'> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { binary, uid } = value as Record<string, unknown>;
  if (typeof binary !== 'string') return undefined;
  return { binary, uid: typeof uid === 'number' ? uid : -1 };
}

/**
 * Who caused a hit, as the part of the grouping key after the token: the binary and uid for a
 * file hit (the host is the same for every access, the process is what differs), the source
 * address and user agent for network hits.
 */
export function groupIdentity(hit: Hit): string {
  const detail = hit.detail.type === 'file' ? hit.detail : undefined;
  // Read defensively: details are typed, not re-validated, when read back from the store.
  const accessor = asProcess(detail?.access?.process);
  if (accessor) return `file\n${accessor.binary}\n${accessor.uid}`;
  if (detail?.tamper !== undefined) {
    const tamperer = asProcess(detail.tamper?.process);
    return tamperer ? `tamper\n${tamperer.binary}\n${tamperer.uid}` : 'tamper\n?';
  }
  return `net\n${hit.source}\n${hit.userAgent ?? ''}`;
}

/**
 * Whether two hits share a grouping key, told without making it (see groupRuns): network hits of
 * one token, source and user agent. It may say no for hits that do share one (a file hit's
 * process is compared through the key itself), never yes for hits that do not.
 */
export function sameGroup(a: Hit, b: Hit): boolean {
  return a.tokenId === b.tokenId && a.detail.type !== 'file' && b.detail.type !== 'file' && a.source === b.source && a.userAgent === b.userAgent;
}

/**
 * The key of a token's digest alert, where hits of keys beyond the alert cap fold in. Its input
 * cannot be any hit's: every identity starts with file, tamper or net.
 */
export function digestKey(tokenId: string): string {
  return createHash('sha256').update(`${tokenId}\ndigest`).digest('hex');
}

/** Recent keys by their input: a storm repeats one identity thousands of times a second. */
const recentKeys = new Map<string, string>();
const RECENT_KEYS_MAX = 4096;

/** The grouping key as stored: a fixed-width hash, since user agents can be a kilobyte long. */
export function groupKey(hit: Hit): string {
  const input = `${hit.tokenId}\n${groupIdentity(hit)}`;
  let key = recentKeys.get(input);
  if (key === undefined) {
    key = createHash('sha256').update(input).digest('hex');
    if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear();
    recentKeys.set(input, key);
  }
  return key;
}
