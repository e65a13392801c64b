import type { FileAccessEvent } from '../core/file-event.js';
import type { Match } from './evaluate.js';

export interface RateLimiterOptions {
  /** Milliseconds; injectable so tests control time. */
  now?: () => number;
  /** Bound on remembered keys, so a flood of distinct accesses cannot grow memory without end. */
  maxEntries?: number;
}

/**
 * Post's rateLimit: after a Post fires, the same Post for the same scope and the same arguments
 * stays quiet for the window. As in Tetragon, the scope is the thread (default), the process or
 * every process (global), and "same arguments" is the same file (by inode) and the same access.
 * The window runs from the last Post that fired, so a steady stream still reports once a window.
 */
export class PostRateLimiter {
  private readonly now: () => number;
  private readonly maxEntries: number;
  /** Key → time its last Post fired; Map order doubles as least-recently-fired order. */
  private readonly fired = new Map<string, { at: number; windowMs: number }>();

  constructor(options: RateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** True when the match should be posted now (also when it has no Post or no rateLimit). */
  allow(match: Match, event: FileAccessEvent): boolean {
    const post = match.actions.find((a) => a.action === 'Post');
    if (post?.action !== 'Post' || !post.rateLimitMs) return true;
    const key = rateKey(match, event, post.rateLimitScope);
    const now = this.now();
    const last = this.fired.get(key);
    if (last && now - last.at < last.windowMs) return false;
    this.fired.delete(key);
    this.fired.set(key, { at: now, windowMs: post.rateLimitMs });
    this.prune(now);
    return true;
  }

  get size(): number {
    return this.fired.size;
  }

  private prune(now: number): void {
    if (this.fired.size <= this.maxEntries) return;
    for (const [key, entry] of this.fired) {
      if (now - entry.at >= entry.windowMs) this.fired.delete(key);
    }
    // Still full of live windows: forget the oldest; at worst one extra Post goes out.
    for (const key of this.fired.keys()) {
      if (this.fired.size <= this.maxEntries) break;
      this.fired.delete(key);
    }
  }
}

function rateKey(match: Match, event: FileAccessEvent, scope: 'thread' | 'process' | 'global'): string {
  const who = scope === 'global' ? '*' : scope === 'process' ? `p${event.process.pid}` : `t${event.process.tid ?? event.process.pid}`;
  return [match.namespace ?? '', match.policy, match.hookIndex, match.selector, who, event.dev, event.ino, event.access].join('\0');
}
