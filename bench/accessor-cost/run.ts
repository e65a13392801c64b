/**
 * What watching a decoy costs the process that reads it: `open + pread + close`, timed inside a
 * small C accessor (access.c), on three files of the same directory in the same run:
 *   decoy    watched by the real `tripline agent` (the token's Post policy, reporting to a
 *            Tripline server in this process over loopback);
 *   kernel   a copy watched by kernel-reader.c: the agent's fanotify class and events, every
 *            event allowed as soon as it is read, no agent logic: the kernel round trip;
 *   copy     an unwatched copy.
 * The three are measured in alternating chunks, so the shared machine's slow spells hit them
 * alike. Each chunk is a new accessor process; its first access is a fresh process's first,
 * which has its own figure and target (below), so the per-access figures are those of the
 * later accesses (the decoy's with the firsts counted in is printed beside them). Then the first access of fresh processes: a new accessor process per access, as an
 * intruder's `cat` is, which the agent has never seen (started by the accessor itself, so the
 * cost of this Node.js process forking is not in the figure).
 * Last, 2,000 accesses in a row by one process (test/e2e/agent-read-storm.test.ts checks that the
 * server counts every one).
 * Targets: decoy p50 at most 150 µs and p99 at most 1 ms; fresh-process first access p50 at most
 * 1 ms; the 2,000 in a row under 2 s (ACCESSOR_P50_US, ACCESSOR_P99_US, ACCESSOR_FRESH_P50_US,
 * ACCESSOR_BURST_MS override them).
 * Run as root: `node --import tsx bench/accessor-cost/run.ts` (BENCH_ACCESSES, default 3000;
 * BENCH_FRESH, default 200).
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { latencySummary, targetFromEnv } from '../support/report.js';
import { accessorPid, compileC, startWatchedDecoy, type WatchedDecoy } from '../../test/agent/support/watched-decoy.js';

const ACCESSES = Math.max(300, Number(process.env.BENCH_ACCESSES ?? 3000));
const FRESH = Math.max(50, Number(process.env.BENCH_FRESH ?? 200));
const CHUNK = 100;
const P50_US = targetFromEnv('ACCESSOR_P50_US', 150);
const P99_US = targetFromEnv('ACCESSOR_P99_US', 1000);
const FRESH_P50_US = targetFromEnv('ACCESSOR_FRESH_P50_US', 1000);
const BURST = 2000;
const BURST_MS = targetFromEnv('ACCESSOR_BURST_MS', 2000);
const here = fileURLToPath(new URL('.', import.meta.url));
const run = promisify(execFile);

/** Durations in µs of `count` accesses made by one accessor process (or, `fresh`, by as many
 * new processes, each making its first). */
async function accesses(accessor: string, path: string, count: number, fresh = false): Promise<number[]> {
  const { stdout } = await run(accessor, fresh ? [path, 'fresh', String(count)] : [path, String(count)]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => Number(line.split(' ')[1]) / 1000);
}

async function startKernelReader(binary: string, path: string): Promise<() => void> {
  const child = spawn(binary, [path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`kernel-reader exited with ${code}`)));
  });
  return () => child.kill('SIGKILL');
}

const fmt = (s: { p50: number; p99: number }) => `p50 ${s.p50.toFixed(1)} µs, p99 ${s.p99.toFixed(1)} µs`;

const dir = await mkdtemp(join(tmpdir(), 'tripline-bench-accessor-'));
let setting: WatchedDecoy | undefined;
let stopReader: (() => void) | undefined;
let failed = false;
try {
  const accessor = await compileC(join(here, 'access.c'), dir);
  const kernelReader = await compileC(join(here, 'kernel-reader.c'), dir);
  setting = await startWatchedDecoy(dir, 'accessor-cost');
  const { decoy } = setting;
  const copy = join(dir, 'keys', 'copy');
  const kernelCopy = join(dir, 'keys', 'kernel-copy');
  // Copied by the agent-free path: the copy reads the decoy, which the agent reports as a hit.
  await copyFile(decoy, copy);
  await copyFile(decoy, kernelCopy);
  stopReader = await startKernelReader(kernelReader, kernelCopy);

  const samples = { decoy: [] as number[], kernel: [] as number[], copy: [] as number[] };
  // Each chunk is a new accessor process, whose first access is a fresh process's (measured on its
  // own below): the per-access figures are those of a process's later accesses.
  const later = (chunk: number[]) => chunk.slice(1);
  const firstOfChunk: number[] = [];
  await accesses(accessor, decoy, CHUNK); // warm-up: the agent compiles its hot path
  for (let done = 0; done < ACCESSES; done += CHUNK) {
    const chunk = await accesses(accessor, decoy, CHUNK);
    firstOfChunk.push(chunk[0]!);
    samples.decoy.push(...later(chunk));
    samples.kernel.push(...later(await accesses(accessor, kernelCopy, CHUNK)));
    samples.copy.push(...later(await accesses(accessor, copy, CHUNK)));
  }
  const fresh: number[] = [];
  const freshCopy: number[] = [];
  for (let done = 0; done < FRESH; done += 10) {
    fresh.push(...(await accesses(accessor, decoy, 10, true)));
    freshCopy.push(...(await accesses(accessor, copy, 10, true)));
  }
  const burstMs = (await accesses(accessor, decoy, BURST)).reduce((a, b) => a + b, 0) / 1000;
  const decoyCost = latencySummary(samples.decoy);
  const kernel = latencySummary(samples.kernel);
  const unwatched = latencySummary(samples.copy);
  const freshCost = latencySummary(fresh);
  const freshUnwatched = latencySummary(freshCopy);
  // The hits must really be reported: a fast agent that lost them would be no figure at all.
  const reported = setting.committed.filter((c) => accessorPid(c.hit) !== undefined).length;
  const withFirsts = latencySummary([...samples.decoy, ...firstOfChunk]);
  console.log(`accessor-cost: decoy (agent, Post, server reachable), a process's later accesses: ${fmt(decoyCost)} (${samples.decoy.length} accesses)`);
  console.log(
    `accessor-cost: decoy with each accessor's first access counted in too: ${fmt(withFirsts)} (${samples.decoy.length + firstOfChunk.length} accesses)`,
  );
  console.log(`accessor-cost: kernel round trip (kernel-reader.c): ${fmt(kernel)}`);
  console.log(`accessor-cost: unwatched copy: ${fmt(unwatched)}`);
  console.log(`accessor-cost: decoy p50 = ${(decoyCost.p50 / kernel.p50).toFixed(2)} x kernel round trip p50`);
  console.log(`accessor-cost: first access of a fresh process: decoy ${fmt(freshCost)}; unwatched ${fmt(freshUnwatched)} (${FRESH} processes)`);
  console.log(`accessor-cost: ${BURST} accesses in a row by one process: ${burstMs.toFixed(0)} ms`);
  console.log(`accessor-cost: hits committed by the server so far: ${reported}`);
  const checks = [
    { what: `decoy p50 <= ${P50_US} µs`, ok: decoyCost.p50 <= P50_US },
    { what: `decoy p99 <= ${P99_US} µs`, ok: decoyCost.p99 <= P99_US },
    { what: `fresh-process first access p50 <= ${FRESH_P50_US} µs`, ok: freshCost.p50 <= FRESH_P50_US },
    { what: `${BURST} in a row < ${BURST_MS} ms`, ok: burstMs < BURST_MS },
    { what: 'the server committed hits', ok: reported > 0 },
  ];
  for (const c of checks) console.log(`accessor-cost: ${c.what}: ${c.ok ? 'MET' : 'NOT MET'}`);
  failed = checks.some((c) => !c.ok);
} catch (error) {
  failed = true;
  console.error(`accessor-cost: ${(error as Error).message}`);
} finally {
  stopReader?.();
  await setting?.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
