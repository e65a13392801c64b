import { isIP } from 'node:net';

export interface AuthThrottleSettings {
  /** Failed key checks from one source within `windowMs` that start a block. */
  burst: number;
  windowMs: number;
  /** How long a blocked source is refused. */
  blockMs: number;
  /** Sources remembered at once; the oldest is forgotten first, so memory stays bounded. */
  maxSources: number;
}

export const AUTH_THROTTLE_DEFAULTS: AuthThrottleSettings = {
  burst: 10,
  windowMs: 60_000,
  blockMs: 5 * 60_000,
  maxSources: 10_000,
};

interface SourceState {
  windowStart: number;
  failures: number;
  /** 0 while not blocked. */
  blockedUntil: number;
}

/**
 * The unit a block applies to: an IPv4 address, or an IPv6 /64, since one IPv6 host commonly
 * holds a whole /64 and could otherwise step to a fresh address for every guess.
 */
export function throttleSource(address: string): string {
  if (isIP(address) !== 6) return address;
  const bare = address.split('%')[0]!;
  const [head = '', tail] = bare.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const after = tail === '' ? [] : tail.split(':');
    // A trailing dotted quad fills two groups.
    const width = after.length + (after.at(-1)?.includes('.') ? 1 : 0);
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - width)).fill('0'), ...after);
  }
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Counts failed key checks per source and blocks a source after a burst of them. A fixed window
 * per source is enough here: the aim is to make guessing slow and to bound the log lines and
 * store lookups one source can cause, not to shape traffic precisely.
 */
export class AuthThrottle {
  private readonly sources = new Map<string, SourceState>();

  constructor(
    private readonly settings: AuthThrottleSettings = AUTH_THROTTLE_DEFAULTS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the source must still wait, or 0 when it is not blocked. */
  blockedFor(source: string): number {
    const state = this.sources.get(source);
    if (!state || state.blockedUntil === 0) return 0;
    const left = state.blockedUntil - this.now();
    if (left > 0) return left;
    // The block is over: the source starts again with a clean count.
    this.sources.delete(source);
    return 0;
  }

  /** Counts one failure; true when it is the one that starts a block. */
  fail(source: string): boolean {
    const now = this.now();
    let state = this.sources.get(source);
    // Checks already under way when the block began fail too; they neither extend nor end it.
    if (state && state.blockedUntil > now) return false;
    if (!state || now - state.windowStart >= this.settings.windowMs) {
      this.sources.delete(source);
      if (this.sources.size >= this.settings.maxSources) this.sources.delete(this.sources.keys().next().value!);
      state = { windowStart: now, failures: 0, blockedUntil: 0 };
      this.sources.set(source, state);
    }
    state.failures += 1;
    if (state.failures < this.settings.burst) return false;
    state.blockedUntil = now + this.settings.blockMs;
    return true;
  }

  get blockSeconds(): number {
    return Math.ceil(this.settings.blockMs / 1000);
  }
}
