/**
 * Delay before retry number `attempts` (1 = after the first failure): doubling from `baseMs` up to
 * `maxMs`, with "equal jitter" (half fixed, half random) so that many clients that failed at the
 * same moment (agents that lost the server, deliveries to a receiver that was down) do not all
 * come back at the same moment, and none retries sooner than half its schedule.
 */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The same schedule for one thing retried in a loop: counts its failures until reset. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt, counting one more failure. */
  next(): number {
    this.failures++;
    return retryDelayMs(this.failures, this.baseMs, this.maxMs, this.random);
  }

  get attempts(): number {
    return this.failures;
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or at once when the signal aborts (a shutdown need not wait out a backoff). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
