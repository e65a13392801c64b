/**
 * Trigger latency under dashboard reads: a real server process on a store whose busiest token
 * has 1,000,000 hits. Hits arrive at a fixed moderate rate from a paced client in its own process;
 * their p99 is measured alone, then while four clients loop on the heaviest dashboard reads of that
 * token (its charts by hour and day, a deep hits page, the token list and a search). Alone and
 * loaded alternate round by round, and the verdict is the median of each round's ratio. Target:
 * loaded p99 at most twice the alone p99.
 */
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { newSecret } from '../../src/core/ids.js';
import { listenArgs, spawnServer } from '../../test/support/process.js';
import { median, printRatio } from '../support/report.js';
import { buildScaleStore } from '../support/scale-store.js';

const HEAVY_HITS = Number(process.env.BENCH_HITS ?? 1_000_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const READERS = 4;
const TARGET = 2;
const CLIENT_NICE = 10;

interface Paced {
  p50: number;
  p99: number;
  max: number;
  failures: number;
  rate: number;
}

function paced(url: string): Promise<Paced> {
  return new Promise((resolve, reject) => {
    const client = join(import.meta.dirname, 'paced-client.ts');
    const timeoutMs = ((REQUESTS / RATE) * 4 + 60) * 1000;
    execFile(process.execPath, ['--import', 'tsx', client, url, String(RATE), String(REQUESTS)], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`paced client failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Paced);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-under-reads-'));
const location = join(dir, 'busy.db');
try {
  const built = await buildScaleStore(location, { tokens: 1000, hits: HEAVY_HITS, heavyHits: HEAVY_HITS, days: 30 });
  console.log(`trigger-under-reads: built ${HEAVY_HITS} hits on one token in ${built.seconds.toFixed(1)} s`);
  const key = newSecret('tpl_admin');
  // The paced client's connections all come from one address.
  const server = await spawnServer([...(await listenArgs()), '--max-connections-per-source', '1024', '--db', location], { TRIPLINE_ADMIN_KEY: key }, 120_000);
  try {
    const headers = { authorization: `Bearer ${key}` };
    const created = await fetch(`${server.adminUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'http', memo: 'paced hits' }),
    });
    const trigger = `${server.url}/assets/${((await created.json()) as { id: string }).id}/logo.gif`;
    const token = `${server.adminUrl}/api/v1/tokens/${built.heavyTokenId}`;
    const pages = [
      `${token}/histogram?bucket=hour`,
      `${token}/histogram?bucket=day`,
      `${token}/hits?limit=25&cursor=${built.deepCursor}`,
      `${server.adminUrl}/api/v1/tokens?limit=50`,
      `${server.adminUrl}/api/v1/tokens?limit=50&q=host-4`,
    ];

    /**
     * The dashboard clients run in their own process at a lower CPU priority: on a deployment they
     * are browsers on other machines, here they share the server's cores, and what the clients
     * themselves spend is not what the server's reads cost it. The paced client keeps the normal
     * priority, like the server.
     */
    async function readWhile<T>(work: () => Promise<T>): Promise<{ result: T; reads: { reads: number; p50: number; p99: number } }> {
      const readers = fork(join(import.meta.dirname, 'dashboard-readers.ts'), [headers.authorization, ...pages], { execArgv: ['--import', 'tsx'] });
      try {
        setPriority(readers.pid!, CLIENT_NICE);
      } catch {
        // Not permitted: the clients compete at normal priority, and the ratio is the worse for it.
      }
      const summary = new Promise<{ reads: number; p50: number; p99: number }>((resolve, reject) => {
        readers.once('message', (message) => resolve(message as { reads: number; p50: number; p99: number }));
        readers.once('exit', (code) => reject(new Error(`dashboard readers exited with ${code}`)));
      });
      // Let the four loops get going before the measured hits start.
      await sleep(1000);
      const result = await work();
      readers.send('stop');
      return { result, reads: await summary };
    }

    await paced(trigger); // warm-up
    const alone: Paced[] = [];
    const loaded: Paced[] = [];
    const readFigures: { reads: number; p50: number; p99: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      alone.push(await paced(trigger));
      const { result, reads } = await readWhile(() => paced(trigger));
      loaded.push(result);
      readFigures.push(reads);
    }
    for (const [i, r] of readFigures.entries()) {
      console.log(`trigger-under-reads: round ${i + 1}: dashboard reads ${r.reads}, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
    }
    for (const [i, a] of alone.entries()) {
      const l = loaded[i]!;
      console.log(
        `trigger-under-reads: round ${i + 1}: alone p50 ${a.p50.toFixed(2)} p99 ${a.p99.toFixed(2)} ms (${a.rate.toFixed(0)}/s); ` +
          `under reads p50 ${l.p50.toFixed(2)} p99 ${l.p99.toFixed(2)} ms (${l.rate.toFixed(0)}/s); failures ${a.failures + l.failures}`,
      );
    }
    const failures = [...alone, ...loaded].reduce((n, r) => n + r.failures, 0);
    const ratio = median(loaded.map((l, i) => l.p99 / alone[i]!.p99));
    printRatio(
      'trigger-under-reads',
      [
        { label: `trigger p99 alone at ${RATE}/s (median of rounds)`, value: median(alone.map((r) => r.p99)), unit: 'ms' },
        { label: `trigger p99 under ${READERS} dashboard readers`, value: median(loaded.map((r) => r.p99)), unit: 'ms' },
        { label: 'failed trigger requests', value: failures, unit: '' },
      ],
      ratio,
      `at most ${TARGET}, no failures`,
      ratio <= TARGET && failures === 0,
    );
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
