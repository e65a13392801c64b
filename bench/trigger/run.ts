/**
 * Trigger throughput: Tripline (real server process, SQLite store, every hit committed before
 * the answer) against a bare node:http server that returns the same GIF, in the same run, with
 * the same load generator settings. Target: Tripline keeps at least 0.6 of the bare rate
 * (TRIGGER_MIN_RATIO overrides it), and its SQLite WAL stays under 64 MiB throughout (sampled
 * every 100 ms). BENCH_WAL_SECONDS=60 runs instead one sustained load of that many seconds at
 * maximum rate and reports the WAL alone.
 *
 * BENCH_POSTGRES=1 also runs a server on PostgreSQL (started here on loopback, fsync on, as
 * durable as the SQLite store) and compares its rate with SQLite's in the same run (target at
 * least 0.5). BENCH_REPLICAS=1 (implies BENCH_POSTGRES) adds a second server on the same database
 * and compares both loaded at once with one alone (target at least 1.5, unless the machine's CPU
 * was saturated, which is then printed with each process's share).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { newSecret } from '../../src/core/ids.js';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { listenArgs, spawnServer, type ServerProcess } from '../../test/support/process.js';
import { cpuMs, machineCpuMs } from '../support/cpu.js';
import { median, printRatio, targetFromEnv } from '../support/report.js';
import { printWal, sampleWal } from './wal-sampler.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
// Throughput is measured at saturation: a group-committing server needs concurrent requests to
// fill its batches, and the bare server is CPU-bound at any count. Both get the same connections.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 256);
const REPLICAS = process.env.BENCH_REPLICAS === '1';
const POSTGRES = REPLICAS || process.env.BENCH_POSTGRES === '1';
const PG_ROUNDS = Number(process.env.BENCH_PG_ROUNDS ?? 5);
const MIN_RATIO = targetFromEnv('TRIGGER_MIN_RATIO', 0.6);
const WAL_SECONDS = Number(process.env.BENCH_WAL_SECONDS ?? 0);

type Load = { rate: number; non2xx: number; errors: number; total: number };

/**
 * Load from wrk (Debian's package): a C load generator leaves the CPU to the servers under test,
 * where a JavaScript one would take a core's worth from both.
 */
function load(url: string, seconds: number, connections = CONNECTIONS): Promise<Load> {
  return new Promise((resolve, reject) => {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '-H', 'User-Agent: bench/1.0', url];
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

const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-'));
const key = newSecret('tpl_admin');
// wrk's connections all come from one address: the per-source cap is raised to admit them all.
const startTripline = async (db: string) =>
  spawnServer([...(await listenArgs()), '--max-connections-per-source', String(CONNECTIONS), '--db', db], { TRIPLINE_ADMIN_KEY: key });

async function newToken(server: ServerProcess): Promise<{ id: string; path: string }> {
  const created = await fetch(`${server.adminUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'http', memo: 'bench' }),
  });
  const token = (await created.json()) as { id: string };
  return { id: token.id, path: `/assets/${token.id}/logo.gif?q=1` };
}

function failuresOf(rounds: Load[]): number {
  return rounds.reduce((n, r) => n + r.non2xx + r.errors, 0);
}

/** SQLite against PostgreSQL, alternated round by round like the bare comparison. */
async function comparePostgres(sqliteUrl: string, postgresUrl: string): Promise<void> {
  await load(postgresUrl, 2);
  const sqliteRounds: Load[] = [];
  const postgresRounds: Load[] = [];
  for (let round = 0; round < PG_ROUNDS; round++) {
    sqliteRounds.push(await load(sqliteUrl, SECONDS));
    postgresRounds.push(await load(postgresUrl, SECONDS));
  }
  const ratio = median(postgresRounds.map((r, i) => r.rate / sqliteRounds[i]!.rate));
  const failures = failuresOf(postgresRounds);
  console.log(
    `trigger-postgres: rounds sqlite ${sqliteRounds.map((r) => r.rate.toFixed(0)).join('/')} postgres ${postgresRounds.map((r) => r.rate.toFixed(0)).join('/')} req/s; ${failures} non-2xx or errors`,
  );
  printRatio(
    'trigger-postgres',
    [
      { label: 'sqlite', value: median(sqliteRounds.map((r) => r.rate)), unit: 'req/s' },
      { label: 'postgres', value: median(postgresRounds.map((r) => r.rate)), unit: 'req/s' },
    ],
    ratio,
    '>= 0.5',
    ratio >= 0.5 && failures === 0,
  );
}

/**
 * One replica loaded alone against two loaded at once (one wrk each), with the same connections in
 * total. The CPU each process took during the two-replica rounds is printed, so a ratio held down by
 * a saturated machine (2 cores running two servers, PostgreSQL and the load) says so.
 */
async function compareReplicas(postgres: TestPostgres, replicas: [ServerProcess, ServerProcess], paths: [string, string]): Promise<void> {
  const [a, b] = replicas;
  const half = Math.max(1, Math.floor(CONNECTIONS / 2));
  const one: Load[] = [];
  const two: Load[] = [];
  const cpu = { a: 0, b: 0, postgres: 0, machineBusy: 0, machineTotal: 0 };
  const postgresCpu = () => postgres.pids().reduce((sum, pid) => sum + cpuMs(pid), 0);
  for (let round = 0; round < PG_ROUNDS; round++) {
    one.push(await load(`${a.url}${paths[0]}`, SECONDS));
    const before = { a: cpuMs(a.child.pid!), b: cpuMs(b.child.pid!), postgres: postgresCpu(), machine: machineCpuMs() };
    const both = await Promise.all([load(`${a.url}${paths[0]}`, SECONDS, half), load(`${b.url}${paths[1]}`, SECONDS, half)]);
    const machine = machineCpuMs();
    cpu.a += cpuMs(a.child.pid!) - before.a;
    cpu.b += cpuMs(b.child.pid!) - before.b;
    cpu.postgres += postgresCpu() - before.postgres;
    cpu.machineBusy += machine.busy - before.machine.busy;
    cpu.machineTotal += machine.total - before.machine.total;
    two.push({
      rate: both[0].rate + both[1].rate,
      total: both[0].total + both[1].total,
      non2xx: both[0].non2xx + both[1].non2xx,
      errors: both[0].errors + both[1].errors,
    });
  }
  const ratio = median(two.map((r, i) => r.rate / one[i]!.rate));
  const failures = failuresOf(one) + failuresOf(two);
  const wall = cpu.machineTotal / availableParallelism();
  const cores = (ms: number) => (ms / wall).toFixed(2);
  const busy = cpu.machineBusy / cpu.machineTotal;
  console.log(
    `trigger-replicas: rounds one ${one.map((r) => r.rate.toFixed(0)).join('/')} two ${two.map((r) => r.rate.toFixed(0)).join('/')} req/s; ${failures} non-2xx or errors`,
  );
  console.log(
    `trigger-replicas: CPU while both were loaded, in cores: replica A ${cores(cpu.a)}, replica B ${cores(cpu.b)}, PostgreSQL ${cores(cpu.postgres)}, ` +
      `whole machine ${cores(cpu.machineBusy)} of ${availableParallelism()} (${(busy * 100).toFixed(0)}% busy; the rest is wrk and the system)`,
  );
  // Adding a replica adds throughput only while there is CPU left to run it. That excuses a low
  // ratio only when the processes under test took most of it, not other work on a shared machine.
  const underTest = cpu.a + cpu.b + cpu.postgres;
  const saturated = busy >= 0.9 && underTest >= 0.5 * cpu.machineBusy;
  if (ratio < 1.5 && busy >= 0.9) {
    console.log(
      saturated
        ? 'trigger-replicas: the machine was saturated by the replicas and PostgreSQL: a second replica can only share the CPU the first one had'
        : `trigger-replicas: the machine was saturated, but ${cores(cpu.machineBusy - underTest)} cores went to wrk and other work: not a verdict on the replicas`,
    );
  }
  printRatio(
    'trigger-replicas',
    [
      { label: 'one replica', value: median(one.map((r) => r.rate)), unit: 'req/s' },
      { label: 'two replicas', value: median(two.map((r) => r.rate)), unit: 'req/s' },
    ],
    ratio,
    '>= 1.5, or the CPU saturated',
    (ratio >= 1.5 || saturated) && failures === 0,
  );
}

/** Tripline alone at full load for BENCH_WAL_SECONDS: the WAL's worst case. */
async function sustainedLoad(path: string): Promise<void> {
  const sustained = await load(`${tripline.url}${path}`, WAL_SECONDS);
  const failures = sustained.non2xx + sustained.errors;
  console.log(
    `trigger: sustained ${WAL_SECONDS} s at ${CONNECTIONS} connections: ${sustained.rate.toFixed(0)} req/s, ${sustained.total} answered, ${failures} non-2xx or errors`,
  );
  if (failures > 0) process.exitCode = 1;
}

const dbFile = join(dir, 'bench.db');
const tripline = await startTripline(dbFile);
const bare = await startBare();
const wal = sampleWal(dbFile);
const postgres = POSTGRES ? await startPostgres({ durable: true }) : undefined;
const replicas: ServerProcess[] = [];
try {
  const token = await newToken(tripline);
  const path = token.path;
  if (WAL_SECONDS > 0) await sustainedLoad(path);
  else await compareWithBare(path, token.id);
  printWal('trigger', wal.stop());

  if (postgres && WAL_SECONDS === 0) {
    const database = await postgres.newDatabase();
    replicas.push(await startTripline(database));
    const first = (await newToken(replicas[0]!)).path;
    await comparePostgres(`${tripline.url}${path}`, `${replicas[0]!.url}${first}`);
    if (REPLICAS) {
      replicas.push(await startTripline(database));
      const second = (await newToken(replicas[1]!)).path;
      await load(`${replicas[1]!.url}${second}`, 2);
      await compareReplicas(postgres, [replicas[0]!, replicas[1]!], [first, second]);
    }
  }
} finally {
  wal.stop();
  bare.child.kill();
  await tripline.stop();
  for (const replica of replicas) await replica.stop();
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function compareWithBare(path: string, tokenId: string): Promise<void> {
  // Warm both up, then alternate them round by round (never at once, so they never share the
  // CPU) and compare medians, so a burst of noise from elsewhere lands on both sides alike.
  await load(`${bare.url}${path}`, 2);
  await load(`${tripline.url}${path}`, 2);
  const bareRounds: Load[] = [];
  const triplineRounds: Load[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRounds.push(await load(`${bare.url}${path}`, SECONDS));
    triplineRounds.push(await load(`${tripline.url}${path}`, SECONDS));
  }
  const baseline = { rate: median(bareRounds.map((r) => r.rate)) };
  const measured = { rate: median(triplineRounds.map((r) => r.rate)) };
  // Each round's two loads ran back to back, so their ratio is the figure least moved by drift in
  // the machine's speed; the verdict is the median of those.
  const pairRatios = triplineRounds.map((r, i) => r.rate / bareRounds[i]!.rate);
  const failures = failuresOf(triplineRounds);

  const count = await fetch(`${tripline.adminUrl}/api/v1/tokens/${tokenId}`, { headers: { authorization: `Bearer ${key}` } });
  const { hitCount } = (await count.json()) as { hitCount: number };
  const ratio = median(pairRatios);
  const answered = triplineRounds.reduce((n, r) => n + r.total, 0);
  console.log(`trigger: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s each`);
  console.log(
    `trigger: rounds bare ${bareRounds.map((r) => r.rate.toFixed(0)).join('/')} tripline ${triplineRounds.map((r) => r.rate.toFixed(0)).join('/')} req/s`,
  );
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
