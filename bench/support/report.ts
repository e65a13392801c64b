/** Benchmarks print one line a figure and a final verdict line; every one compares against a
 * baseline measured in the same run, because the machines are shared and noisy. */
export function printRatio(name: string, measured: { label: string; value: number; unit: string }[], ratio: number, target: string, ok: boolean): void {
  for (const m of measured) console.log(`${name}: ${m.label} ${m.value.toFixed(m.value < 10 ? 3 : 0)} ${m.unit}`);
  console.log(`${name}: ratio ${ratio.toFixed(3)} (target ${target}) ${ok ? 'MET' : 'NOT MET'}`);
  // A missed target fails the run (make bench stops), after the figures are printed.
  if (!ok) process.exitCode = 1;
}

/**
 * A bench's target, overridable through an environment variable (e.g. to show that `make bench`
 * fails when a target is missed: ORACLE_MAX_DIFF=0.0001).
 */
export function targetFromEnv(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${variable} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** p50, p99 and max of a set of latencies. */
export function latencySummary(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}
