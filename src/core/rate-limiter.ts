/** A token bucket per key: `ratePerSecond` on average, up to `burst` at once. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets for many keys in bounded memory. When more keys are tracked than `maxKeys`, the
 * least recently used one is forgotten; a forgotten key starts again with a full bucket, so a
 * sender spraying keys gains at most a burst per key it can afford to rotate through.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = 65_536,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for the key; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key);
    let tokens = this.limit.burst;
    if (bucket) {
      tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.ratePerSecond);
      // Re-inserting keeps the map in least-recently-used order.
      this.buckets.delete(key);
    } else if (this.buckets.size >= this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value!);
    }
    const allowed = tokens >= 1;
    this.buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
    return allowed;
  }
}
