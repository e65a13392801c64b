import type { HistogramBucket } from '../api/types';

export type BucketSize = 'hour' | 'day';

export interface ChartBucket {
  /** The server's bucket key: an ISO prefix in UTC (2025-01-31T13 or 2025-01-31). */
  key: string;
  start: Date;
  count: number;
}

const WIDTH = { hour: 13, day: 10 } as const;
const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export function bucketKey(iso: string, size: BucketSize): string {
  return iso.slice(0, WIDTH[size]);
}

function keyStart(key: string, size: BucketSize): Date {
  return new Date(size === 'hour' ? `${key}:00:00Z` : `${key}T00:00:00Z`);
}

/**
 * The last `count` buckets up to and including the one `now` falls in, with the server's counts
 * filled in and empty buckets as zero, so gaps show as gaps.
 */
export function recentBuckets(series: HistogramBucket[], size: BucketSize, count: number, now: Date): ChartBucket[] {
  const counts = new Map(series.map((b) => [b.bucket, b.count]));
  const current = keyStart(bucketKey(now.toISOString(), size), size).getTime();
  const buckets: ChartBucket[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = new Date(current - i * STEP_MS[size]);
    const key = bucketKey(start.toISOString(), size);
    buckets.push({ key, start, count: counts.get(key) ?? 0 });
  }
  return buckets;
}

/** The series with one more hit counted in its bucket (a hit that just arrived live). */
export function addHit(series: HistogramBucket[], at: string, size: BucketSize): HistogramBucket[] {
  const key = bucketKey(at, size);
  if (!series.some((b) => b.bucket === key)) return [...series, { bucket: key, count: 1 }].sort((a, b) => a.bucket.localeCompare(b.bucket));
  return series.map((b) => (b.bucket === key ? { ...b, count: b.count + 1 } : b));
}

/** A round upper bound for the y axis: 1, 2, 5, 10, 20, 50 ... */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
