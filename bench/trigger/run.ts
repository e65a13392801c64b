/**
 * Trigger throughput: Tripline (real server process, SQLite store, every hit committed before
 * the answer) against a bare node:http server that returns the same GIF, in the same run, with
 * the same load generator settings. Target: Tripline keeps at least half the bare rate
 * (TRIGGER_MIN_RATIO overrides it), and its SQLite WAL stays under 64 MiB throughout (sampled
 * every 100 ms). BENCH_WAL_SECONDS=60 runs instead one sustained load of that many seconds at
 * maximum rate and reports the WAL alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { newSecret } from '../../src/core/ids.js';
import { listenArgs, spawnServer } from '../../test/support/process.js';
import { median, printRatio, targetFromEnv } from '../support/report.js';
import { printWal, sampleWal } from './wal-sampler.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
// Throughput is measured at saturation: a group-committing server needs concurrent requests to
// fill its batches, and the bare server is CPU-bound at any count. Both get the same connections.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 256);
const MIN_RATIO = targetFromEnv('TRIGGER_MIN_RATIO', 0.5);
const WAL_SECONDS = Number(process.env.BENCH_WAL_SECONDS ?? 0);

/**
 * Load from wrk (Debian's package): a C load generator leaves the CPU to the servers under test,
 * where a JavaScript one would take a core's worth from both.
 */
function load(url: string, seconds: number): Promise<{ rate: number; non2xx: number; errors: number; total: number }> {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-H', 'User-Agent: bench/1.0', url];
    execFile('wrk', args, { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(new Error(`wrk failed (is Debian's wrk installed? make bench installs it): ${error.message}`));
      const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? 0);
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        rate: number(/Requests\/sec:\s+([\d.]+)/),
        total: number(/(\d+) requests in/),
        non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
        errors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
      });
    });
  });
}

async function startBare(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'bare-gif-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Tripline alone at full load for BENCH_WAL_SECONDS: the WAL's worst case. */
async function sustainedLoad(path: string): Promise<void> {
  const sustained = await load(`${tripline.url}${path}`, WAL_SECONDS);
  const failures = sustained.non2xx + sustained.errors;
  console.log(`trigger: sustained ${WAL_SECONDS} s at ${CONNECTIONS} connections: ${sustained.rate.toFixed(0)} req/s, ${sustained.total} answered, ${failures} non-2xx or errors`);
  if (failures > 0) process.exitCode = 1;
}

async function compareWithBare(path: string, tokenId: string): Promise<void> {
  // Warm both up, then alternate them round by round (never at once, so they never share the
  // CPU) and compare medians, so a burst of noise from elsewhere lands on both sides alike.
  await load(`${bare.url}${path}`, 2);
  await load(`${tripline.url}${path}`, 2);
  const bareRounds: { rate: number; non2xx: number; errors: number; total: number }[] = [];
  const triplineRounds: { rate: number; non2xx: number; errors: number; total: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRounds.push(await load(`${bare.url}${path}`, SECONDS));
    triplineRounds.push(await load(`${tripline.url}${path}`, SECONDS));
  }
  const baseline = { rate: median(bareRounds.map((r) => r.rate)) };
  const measured = { rate: median(triplineRounds.map((r) => r.rate)) };
  // Each round's two loads ran back to back, so their ratio is the figure least moved by drift in
  // the machine's speed; the verdict is the median of those.
  const pairRatios = triplineRounds.map((r, i) => r.rate / bareRounds[i]!.rate);
  const failures = triplineRounds.reduce((n, r) => n + r.non2xx + r.errors, 0);

  const count = await fetch(`${tripline.adminUrl}/api/v1/tokens/${tokenId}`, { headers: { authorization: `Bearer ${key}` } });
  const { hitCount } = (await count.json()) as { hitCount: number };
  const ratio = median(pairRatios);
  const answered = triplineRounds.reduce((n, r) => n + r.total, 0);
  console.log(`trigger: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s each`);
  console.log(`trigger: rounds bare ${bareRounds.map((r) => r.rate.toFixed(0)).join('/')} tripline ${triplineRounds.map((r) => r.rate.toFixed(0)).join('/')} req/s`);
  console.log(`trigger: per-round ratios ${pairRatios.map((r) => r.toFixed(3)).join(' ')}`);
  console.log(`trigger: tripline answered ${answered} (+ warm-up) with ${failures} non-2xx or errors; token hit count ${hitCount}`);
  printRatio(
    'trigger',
    [
      { label: 'bare node:http', value: baseline.rate, unit: 'req/s' },
      { label: 'tripline (hits committed)', value: measured.rate, unit: 'req/s' },
    ],
    ratio,
    `>= ${MIN_RATIO}`,
    ratio >= MIN_RATIO && failures === 0,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-'));
const key = newSecret('tpl_admin');
const dbFile = join(dir, 'bench.db');
// wrk's connections all come from one address: the per-source cap is raised to admit them all.
const tripline = await spawnServer([...(await listenArgs()), '--max-connections-per-source', String(CONNECTIONS), '--db', dbFile], {
  TRIPLINE_ADMIN_KEY: key,
});
const bare = await startBare();
const wal = sampleWal(dbFile);
try {
  const created = await fetch(`${tripline.adminUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'http', memo: 'bench' }),
  });
  const token = (await created.json()) as { id: string };
  const path = `/assets/${token.id}/logo.gif?q=1`;

  if (WAL_SECONDS > 0) await sustainedLoad(path);
  else await compareWithBare(path, token.id);
  printWal('trigger', wal.stop());
} finally {
  wal.stop();
  bare.child.kill();
  await tripline.stop();
  rmSync(dir, { recursive: true, force: true });
}
