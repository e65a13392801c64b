/**
 * Hit-to-receiver latency: from sending a web-bug request to a real Tripline server process
 * (SQLite store, every hit committed durably, the alert decided and its outbox row written in the
 * same transaction) until a generic-webhook receiver on loopback has the signed alert. Each alert
 * has its own grouping key (a distinct user agent), so none folds into another.
 *
 * Baseline, measured in the same run: the same POST straight to the same receiver. Target: p99
 * under 50 ms (ALERT_LATENCY_P99_MS overrides it). Two runs: one alert at a time, and alerts paced at BENCH_RATE per second.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { newSecret } from '../../src/core/ids.js';
import { listenArgs, spawnServer } from '../../test/support/process.js';
import { latencySummary, targetFromEnv } from '../support/report.js';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 500);
const WARMUP = 50;
const RATE = Number(process.env.BENCH_RATE ?? 100);
const TARGET_P99_MS = targetFromEnv('ALERT_LATENCY_P99_MS', 50);
/** A run that has not seen every alert after this long has lost some: a failure, not a figure. */
const RUN_DEADLINE_MS = 120_000;

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// The receiver: notes when each alert (by user agent) or baseline POST (by path) arrives.
const arrivals = new Map<string, number>();
const waiters = new Map<string, () => void>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    let key = (req.url ?? '/').slice(1);
    if (req.url === '/hook') key = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { firstHit: { userAgent: string } }).firstHit.userAgent;
    arrivals.set(key, at);
    waiters.get(key)?.();
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverPort = (receiver.address() as { port: number }).port;

function arrival(key: string): Promise<number> {
  const seen = arrivals.get(key);
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise((resolve) => waiters.set(key, () => resolve(arrivals.get(key)!)));
}

/** Runs `count` measurements; `paced` starts one every 1/RATE s without waiting for the last. */
async function measure(count: number, paced: boolean, send: (key: string) => Promise<void>, prefix: string): Promise<number[]> {
  const deadline = Date.now() + RUN_DEADLINE_MS;
  const runs: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    if (Date.now() > deadline) throw new Error(`${prefix}: gave up after ${RUN_DEADLINE_MS} ms at ${i} of ${count}`);
    const key = `${prefix}-${i}`;
    const started = performance.now();
    const done = send(key)
      .then(() => arrival(key))
      .then((at) => at - started);
    if (paced) {
      runs.push(done);
      await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
    } else {
      runs.push(Promise.resolve(await done));
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${prefix}: some alerts never arrived`)), RUN_DEADLINE_MS)));
  try {
    return await Promise.race([Promise.all(runs), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-alerts-'));
// Every alert here has its own user agent, so each run gets its own token and a cap that admits
// them all: the bench measures delivery, not the per-token alert cap that folds floods.
const server = await spawnServer(
  [...(await listenArgs()), '--db', process.env.BENCH_DB ?? join(dir, 'bench.db'), '--allow-private-targets', '--alert-cap', '1000'],
  {
    TRIPLINE_ADMIN_KEY: newSecret('tpl_bench'),
  },
);
let failed = false;
try {
  const channel = await server.api('POST', '/channels', { kind: 'webhook', url: `http://127.0.0.1:${receiverPort}/hook`, secret: 'bench-secret-0123456789' });
  const hitsOnNewToken = async (memo: string) => {
    const token = await server.api('POST', '/tokens', { kind: 'http', memo, channels: [channel.body.id] });
    const triggerUrl: string = token.body.url;
    return async (userAgent: string) => {
      const response = await fetch(triggerUrl, { headers: { 'user-agent': userAgent } });
      await response.arrayBuffer();
    };
  };
  const direct = async (key: string) => {
    const response = await fetch(`http://127.0.0.1:${receiverPort}/${key}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    await response.arrayBuffer();
  };

  await measure(WARMUP, false, await hitsOnNewToken('alert latency bench: warm-up'), 'warmup');
  await measure(WARMUP, false, direct, 'warmup-direct');
  const lines: string[] = [];
  for (const paced of [false, true]) {
    const mode = paced ? `paced ${RATE}/s` : 'one at a time';
    const baseline = latencySummary(await measure(ALERTS, paced, direct, `direct-${paced}`));
    const tripline = latencySummary(await measure(ALERTS, paced, await hitsOnNewToken(`alert latency bench: ${mode}`), `alert-${paced}`));
    const met = tripline.p99 < TARGET_P99_MS;
    failed ||= !met;
    lines.push(
      `alert-latency (${mode}, ${ALERTS} alerts): hit-to-receiver p50 ${fmt(tripline.p50)} p99 ${fmt(tripline.p99)} max ${fmt(tripline.max)}` +
        ` | baseline direct POST p50 ${fmt(baseline.p50)} p99 ${fmt(baseline.p99)}` +
        ` | p99 ratio ${(tripline.p99 / baseline.p99).toFixed(1)}x | target p99 < ${TARGET_P99_MS} ms: ${met ? 'met' : 'MISSED'}`,
    );
  }
  const delivered = await server.api('GET', '/deliveries?state=delivered&limit=1');
  const pending = await server.api('GET', '/deliveries?state=pending&limit=1');
  if (pending.body.items.length > 0 || delivered.body.items.length === 0) {
    failed = true;
    lines.push('alert-latency: deliveries left pending after the run');
  }
  for (const line of lines) console.log(line);
} finally {
  await server.stop();
  receiver.close();
  receiver.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
