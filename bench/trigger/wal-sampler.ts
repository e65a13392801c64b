import { statSync } from 'node:fs';

export const WAL_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The largest size a SQLite -wal file reaches while the bench runs, read every 100 ms. A sample
 * can miss a peak shorter than that; the file only shrinks when the WAL is cut back, so a peak
 * stands until the next rewind, which is at least one checkpoint interval away.
 */
export function sampleWal(dbFile: string, intervalMs = 100): { largest(): number; stop(): number } {
  let largest = 0;
  const sample = () => {
    try {
      largest = Math.max(largest, statSync(`${dbFile}-wal`).size);
    } catch {
      // No WAL yet (or between a close and the next open).
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    largest: () => largest,
    stop() {
      clearInterval(timer);
      sample();
      return largest;
    },
  };
}

/** The WAL verdict line; a WAL past the limit fails the run. */
export function printWal(name: string, largest: number): void {
  const ok = largest <= WAL_LIMIT_BYTES;
  console.log(`${name}: largest WAL ${(largest / 1024 / 1024).toFixed(1)} MiB (target <= ${WAL_LIMIT_BYTES / 1024 / 1024} MiB) ${ok ? 'MET' : 'NOT MET'}`);
  if (!ok) process.exitCode = 1;
}
