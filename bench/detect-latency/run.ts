/**
 * Detection latency: from the accessor's own clock reading, taken just before it calls `open` on
 * a decoy, until the server has committed the hit (stored durably, alert decided in the same
 * transaction). The decoy is planted as a `file` token's decoy, the real `tripline agent` watches
 * it and reports over loopback to a Tripline server running in this process (SQLite), which tells
 * us the moment each hit commits. The accessor is bench/accessor-cost/access.c, one long-lived
 * process making one `open + pread + close` per request, so process start is not counted.
 *
 * Baseline, measured in the same run on the same server: a web-bug hit (HTTP GET on loopback to
 * commit), the cheapest path to a stored hit. Target: decoy access to hit p99 under 10 ms
 * (DETECT_LATENCY_P99_MS overrides it).
 * Run as root: `node --import tsx bench/detect-latency/run.ts` (BENCH_ACCESSES, default 300).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { latencySummary, targetFromEnv } from '../support/report.js';
import { accessorPid, compileC, startWatchedDecoy, type WatchedDecoy } from '../../test/agent/support/watched-decoy.js';

const ACCESSES = Math.max(200, Number(process.env.BENCH_ACCESSES ?? 300));
const WARMUP = 20;
const TARGET_P99_MS = targetFromEnv('DETECT_LATENCY_P99_MS', 10);
/** Lets one access's later events (its read after its open) commit before the next begins. */
const GAP_MS = 20;

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
/** performance.now() of a wall-clock time in ms: the accessor's clock, on this process's scale. */
const onPerfScale = (wallMs: number) => wallMs - performance.timeOrigin;

const dir = await mkdtemp(join(tmpdir(), 'tripline-bench-detect-'));
let setting: WatchedDecoy | undefined;
let failed = false;
try {
  const accessorBinary = await compileC(fileURLToPath(new URL('../accessor-cost/access.c', import.meta.url)), dir);
  setting = await startWatchedDecoy(dir, 'detect-latency');
  const { committedHit, api } = setting;
  const reader = spawn(accessorBinary, [setting.decoy, '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: reader.stdout });
  const readDone: ((line: string) => void)[] = [];
  lines.on('line', (line) => readDone.shift()?.(line));

  // The sensor's share: from the accessor's clock reading to the event time the agent stamped
  // (wall clock, whole milliseconds); the rest is the agent's spool and report and the commit.
  const sensorShare: number[] = [];
  const decoyAccess = async (): Promise<number> => {
    const done = new Promise<string>((resolve) => readDone.push(resolve));
    reader.stdin.write('go\n');
    const startedWallMs = Number(BigInt((await done).split(' ')[0]!) / 1000n) / 1000;
    const from = onPerfScale(startedWallMs);
    const { hit, at } = await committedHit((h) => accessorPid(h) === reader.pid && Date.parse(h.at) >= Math.floor(startedWallMs), from);
    sensorShare.push(Date.parse(hit.at) - startedWallMs);
    await sleep(GAP_MS);
    return at - from;
  };
  const bug = await api('POST', '/tokens', { kind: 'http', memo: 'detect-latency baseline' });
  const httpHit = async (): Promise<number> => {
    const started = performance.now();
    const response = await fetch(bug.url);
    await response.arrayBuffer();
    return (await committedHit((hit) => hit.tokenId === bug.id, started)).at - started;
  };

  const measure = async (count: number, once: () => Promise<number>) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(await once());
    return out;
  };
  await measure(WARMUP, decoyAccess);
  await measure(WARMUP, httpHit);
  sensorShare.length = 0;
  const baseline = latencySummary(await measure(ACCESSES, httpHit));
  const detect = latencySummary(await measure(ACCESSES, decoyAccess));
  const sensor = latencySummary(sensorShare);
  reader.stdin.end();
  const met = detect.p99 < TARGET_P99_MS;
  failed = !met;
  console.log(
    `detect-latency (${ACCESSES} accesses, one at a time): accessor's clock before open to committed hit p50 ${fmt(detect.p50)} p99 ${fmt(detect.p99)} max ${fmt(detect.max)}` +
      ` (of which to the agent's event time p50 ${fmt(sensor.p50)} p99 ${fmt(sensor.p99)})` +
      ` | baseline web-bug GET to committed hit p50 ${fmt(baseline.p50)} p99 ${fmt(baseline.p99)}` +
      ` | p99 ratio ${(detect.p99 / baseline.p99).toFixed(1)}x | target p99 < ${TARGET_P99_MS} ms: ${met ? 'met' : 'MISSED'}`,
  );
} catch (error) {
  failed = true;
  console.error(`detect-latency: ${(error as Error).message}`);
} finally {
  await setting?.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
