/**
 * Detection latency: from a process starting to read a decoy until the server has committed the
 * hit (stored durably, alert decided in the same transaction). The decoy is planted as a `file`
 * token's decoy, the real `tripline agent` watches it and reports over loopback to a Tripline
 * server running in this process (SQLite), which tells us the moment each hit commits.
 *
 * Baseline, measured in the same run on the same server: a web-bug hit (HTTP GET on loopback to
 * commit), the cheapest path to a stored hit. Target: decoy access to hit p99 under 50 ms
 * (DETECT_LATENCY_P99_MS overrides it).
 * Run as root: `node --import tsx bench/detect-latency/run.ts` (BENCH_ACCESSES, default 300).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { newSecret } from '../../src/core/ids.js';
import { startServer } from '../../src/server/start.js';
import type { Hit } from '../../src/store/repositories/hits.js';
import { AgentProcess } from '../../test/agent/support/agent-process.js';
import { latencySummary, targetFromEnv } from '../support/report.js';

const ACCESSES = Math.max(200, Number(process.env.BENCH_ACCESSES ?? 300));
const WARMUP = 20;
const TARGET_P99_MS = targetFromEnv('DETECT_LATENCY_P99_MS', 50);
/** One access that has not become a hit after this long is lost: a failure, not a figure. */
const ACCESS_DEADLINE_MS = 10_000;

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const dir = await mkdtemp(join(tmpdir(), 'tripline-bench-detect-'));
const adminKey = newSecret('tpl_admin');
const server = await startServer(
  {
    listen: { host: '127.0.0.1', port: 0 },
    adminListen: { host: '127.0.0.1', port: 0 },
    db: join(dir, 'bench.db'),
    trustProxy: [],
    adminKey,
    logLevel: 'silent',
  },
  pino({ level: 'silent' }),
);
let agent: AgentProcess | undefined;
let failed = false;

// Every committed hit, with the moment the server published it.
const committed: { hit: Hit; at: number }[] = [];
let wake: (() => void) | undefined;
server.services.events.subscribe((event) => {
  committed.push({ hit: event.hit, at: performance.now() });
  wake?.();
});

/** The first hit committed after `from` that `match` accepts, and when it was committed. */
async function committedHit(match: (hit: Hit) => boolean, from: number): Promise<{ hit: Hit; at: number }> {
  const deadline = Date.now() + ACCESS_DEADLINE_MS;
  for (;;) {
    const found = committed.find((c) => c.at >= from && match(c.hit));
    if (found) return found;
    if (Date.now() > deadline) throw new Error('a hit never arrived');
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 100);
    });
  }
}

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.adminUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

try {
  await chmod(dir, 0o755);
  const decoy = join(dir, 'keys', 'id_ed25519');
  const policies = join(dir, 'policies');
  const token = await api('POST', '/tokens', { kind: 'file', memo: 'detect-latency bench', options: { path: decoy, decoyKind: 'ssh-key' } });
  await mkdir(join(dir, 'keys'), { mode: 0o755 });
  await writeFile(decoy, token.artifact.extraFiles[0].content, { mode: 0o600 });
  await mkdir(policies);
  await writeFile(join(policies, token.artifact.file.name), token.artifact.file.content);
  // The key reports for the node it was enrolled for only.
  const { key: agentKey } = await api('POST', '/agents', { name: 'bench' });
  agent = await AgentProcess.start([
    '--policy-dir',
    policies,
    '--server',
    server.adminUrl,
    '--agent-key',
    agentKey,
    '--spool-dir',
    join(dir, 'spool'),
    '--node-name',
    'bench',
  ]);

  // One long-lived reader, so each access is an open, a read and a close, not a process start.
  const reader = spawn(
    '/usr/bin/python3',
    [
      '-u',
      '-c',
      `
import sys
for line in sys.stdin:
    with open(${JSON.stringify(decoy)}, 'rb') as f:
        f.read()
    print('read', flush=True)
`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: reader.stdout });
  const readDone: (() => void)[] = [];
  lines.on('line', () => readDone.shift()?.());
  const fromReader = (hit: Hit) => (hit.detail as { access?: { process: { pid: number } } }).access?.process.pid === reader.pid;

  // The sensor's share: from the read's start to the event time the agent stamped (wall clock,
  // whole milliseconds); the rest is the agent's spool and report and the server's commit.
  const sensorShare: number[] = [];
  const decoyAccess = async (): Promise<number> => {
    const started = performance.now();
    const startedWall = Date.now();
    const done = new Promise<void>((resolve) => readDone.push(resolve));
    reader.stdin.write('go\n');
    // The previous read's later events may still be arriving: only an event stamped after this
    // read began counts for it.
    const { hit, at } = await committedHit((h) => fromReader(h) && Date.parse(h.at) >= startedWall, started);
    await done;
    sensorShare.push(Date.parse(hit.at) - startedWall);
    return at - started;
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
    `detect-latency (${ACCESSES} accesses, one at a time): decoy access to committed hit p50 ${fmt(detect.p50)} p99 ${fmt(detect.p99)} max ${fmt(detect.max)}` +
      ` (of which access to the agent's event time p50 ${fmt(sensor.p50)} p99 ${fmt(sensor.p99)})` +
      ` | baseline web-bug GET to committed hit p50 ${fmt(baseline.p50)} p99 ${fmt(baseline.p99)}` +
      ` | p99 ratio ${(detect.p99 / baseline.p99).toFixed(1)}x | target p99 < ${TARGET_P99_MS} ms: ${met ? 'met' : 'MISSED'}`,
  );
} catch (error) {
  failed = true;
  console.error(`detect-latency: ${(error as Error).message}`);
} finally {
  await agent?.stop();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
