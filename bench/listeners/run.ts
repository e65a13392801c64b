/**
 * The trigger plane's HTTP latency while the credential listeners are busy: a real server process
 * with the SSH, MySQL, SMTP and WireGuard listeners on loopback. Hits arrive on the HTTP trigger
 * at a fixed moderate rate from the paced client of bench/trigger-under-reads; their p99 is
 * measured alone, then while clients of one listener connect at a fixed rate (each connection a
 * hit on a live token; rates in LOAD_RATES, BENCH_<LISTENER>_RATE to change), listener by
 * listener, alone and loaded alternating. Prints each listener's connections (WireGuard:
 * handshakes) a second handled. Target: for every listener, loaded p99 at most 1.5 times the
 * alone p99 (median over rounds).
 */
import { execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { newSecret } from '../../src/core/ids.js';
import { freePort } from '../../test/support/ports.js';
import { listenArgs, spawnServer } from '../../test/support/process.js';
import { median, printRatio, targetFromEnv } from '../support/report.js';

const RATE = Number(process.env.BENCH_RATE ?? 300);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET = targetFromEnv('LISTENERS_MAX_RATIO', 1.5);
const LISTENERS = ['ssh', 'mysql', 'smtp', 'wireguard'] as const;
/** Each listener's load: connections (WireGuard: handshakes) a second, every one a hit. */
const LOAD_RATES: Record<(typeof LISTENERS)[number], number> = {
  ssh: Number(process.env.BENCH_SSH_RATE ?? 10),
  mysql: Number(process.env.BENCH_MYSQL_RATE ?? 50),
  smtp: Number(process.env.BENCH_SMTP_RATE ?? 20),
  wireguard: Number(process.env.BENCH_WIREGUARD_RATE ?? 100),
};
const CLIENT_NICE = 10;

interface Paced {
  p50: number;
  p99: number;
  failures: number;
  rate: number;
}

function paced(url: string): Promise<Paced> {
  return new Promise((resolve, reject) => {
    const client = join(import.meta.dirname, '..', 'trigger-under-reads', 'paced-client.ts');
    execFile(
      process.execPath,
      ['--import', 'tsx', client, url, String(RATE), String(REQUESTS)],
      { timeout: ((REQUESTS / RATE) * 4 + 60) * 1000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`paced client failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Paced);
      },
    );
  });
}

/** Runs `work` while one listener's clients loop in a lower-priority process (on a deployment they are other machines). */
async function loadWhile<T>(
  listener: (typeof LISTENERS)[number],
  port: number,
  artifact: unknown,
  work: () => Promise<T>,
): Promise<{ result: T; perSecond: number }> {
  const load = fork(join(import.meta.dirname, 'load.ts'), [listener, String(port), String(LOAD_RATES[listener]), JSON.stringify(artifact)], {
    execArgv: ['--import', 'tsx'],
  });
  try {
    setPriority(load.pid!, CLIENT_NICE);
  } catch {
    // Not permitted: the clients compete at normal priority, and the ratio is the worse for it.
  }
  const summary = new Promise<{ connections: number; seconds: number }>((resolve, reject) => {
    load.once('message', (message) => resolve(message as { connections: number; seconds: number }));
    load.once('exit', (code) => reject(new Error(`${listener} load exited with ${code}`)));
  });
  await sleep(1000);
  const result = await work();
  load.send('stop');
  const { connections, seconds } = await summary;
  return { result, perSecond: connections / seconds };
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-listeners-bench-'));
try {
  const key = newSecret('tpl_admin');
  const ports = { ssh: await freePort(), mysql: await freePort(), smtp: await freePort(), wireguard: await freePort() };
  const server = await spawnServer(
    [
      ...(await listenArgs()),
      '--max-connections-per-source',
      '1024',
      '--db',
      join(dir, 'tripline.db'),
      '--ssh-listen',
      `127.0.0.1:${ports.ssh}`,
      '--mysql-listen',
      `127.0.0.1:${ports.mysql}`,
      '--smtp-listen',
      `127.0.0.1:${ports.smtp}`,
      '--wireguard-listen',
      `127.0.0.1:${ports.wireguard}`,
      '--mail-domain',
      'mail.example.test',
    ],
    { TRIPLINE_ADMIN_KEY: key },
    120_000,
  );
  try {
    const create = async (kind: string) => {
      const response = await fetch(`${server.adminUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind, memo: `bench ${kind}` }),
      });
      return (await response.json()) as { id: string; artifact: Record<string, unknown> };
    };
    const trigger = `${server.url}/assets/${(await create('http')).id}/logo.gif`;
    const kinds = { ssh: 'ssh-key', mysql: 'mysql-dump', smtp: 'email', wireguard: 'wireguard' } as const;
    const artifacts: Record<string, unknown> = {};
    for (const listener of LISTENERS) {
      const token = await create(kinds[listener]);
      artifacts[listener] = { ...token.artifact, user: `backup_${token.id}` };
    }

    await paced(trigger); // warm-up
    const verdicts: { listener: string; ratio: number; failures: number }[] = [];
    for (const listener of LISTENERS) {
      const alone: Paced[] = [];
      const loaded: Paced[] = [];
      const rates: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        alone.push(await paced(trigger));
        const { result, perSecond } = await loadWhile(listener, ports[listener], artifacts[listener], () => paced(trigger));
        loaded.push(result);
        rates.push(perSecond);
      }
      const ratio = median(loaded.map((l, i) => l.p99 / alone[i]!.p99));
      const failures = [...alone, ...loaded].reduce((n, r) => n + r.failures, 0);
      console.log(
        `listeners: ${listener}: ${median(rates).toFixed(1)} ${listener === 'wireguard' ? 'handshakes/s sent (no answer to count)' : 'connections/s answered'} (asked ${LOAD_RATES[listener]}/s); ` +
          `trigger p99 alone ${median(alone.map((r) => r.p99)).toFixed(2)} ms, with ${listener} load ${median(loaded.map((r) => r.p99)).toFixed(2)} ms; ratio ${ratio.toFixed(3)}`,
      );
      verdicts.push({ listener, ratio, failures });
    }
    const worst = verdicts.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const failures = verdicts.reduce((n, v) => n + v.failures, 0);
    printRatio(
      'listeners',
      [
        { label: `worst listener (${worst.listener}): trigger p99 ratio at ${RATE}/s`, value: worst.ratio, unit: '' },
        { label: 'failed trigger requests', value: failures, unit: '' },
      ],
      worst.ratio,
      `at most ${TARGET} for every listener, no failures`,
      worst.ratio <= TARGET && failures === 0,
    );
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
