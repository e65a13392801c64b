/**
 * What a body costs the admin listener before the key is known: server CPU per request for a
 * 254 KiB body of nested `[[[[...` sent without a key, and sent with an admin key (refused by the
 * depth check before parsing), against a small authenticated GET in the same run. The server is a
 * real process; its CPU time is read from /proc. Target: the keyless nested body costs at most 3
 * small GETs (AUTH_BODY_MAX_RATIO overrides it; the body used to be parsed first: about 51 ms of
 * CPU each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSecret } from '../../src/core/ids.js';
import { listenArgs, spawnServer } from '../../test/support/process.js';
import { cpuMs } from '../support/cpu.js';
import { median, printRatio, targetFromEnv } from '../support/report.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAX_RATIO = targetFromEnv('AUTH_BODY_MAX_RATIO', 3);
const IN_FLIGHT = 4;

const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-'));
const key = newSecret('tpl_admin');
const server = await spawnServer([...(await listenArgs()), '--db', join(dir, 'bench.db')], { TRIPLINE_ADMIN_KEY: key });
const pid = server.child.pid!;
const nested = Buffer.alloc(254 * 1024, '[');

type Send = () => Promise<number>;
const send =
  (method: string, headers: Record<string, string>, body?: Buffer): Send =>
  async () => {
    const response = await fetch(`${server.adminUrl}/api/v1/tokens`, { method, headers, body });
    await response.arrayBuffer();
    return response.status;
  };

/** Server CPU per request, in ms, for REQUESTS requests with IN_FLIGHT at a time. */
async function cost(request: Send, expected: number): Promise<number> {
  const before = cpuMs(pid);
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < REQUESTS) {
        const status = await request();
        if (status !== expected) throw new Error(`expected ${expected}, got ${status}`);
      }
    }),
  );
  return (cpuMs(pid) - before) / REQUESTS;
}

try {
  const small = send('GET', { authorization: `Bearer ${key}` });
  const keyless = send('POST', { 'content-type': 'application/json' }, nested);
  const keyed = send('POST', { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, nested);
  await cost(small, 200);
  await cost(keyless, 401);
  await cost(keyed, 400);
  const rounds = { small: [] as number[], keyless: [] as number[], keyed: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.small.push(await cost(small, 200));
    rounds.keyless.push(await cost(keyless, 401));
    rounds.keyed.push(await cost(keyed, 400));
  }
  const figures = { small: median(rounds.small), keyless: median(rounds.keyless), keyed: median(rounds.keyed) };
  const ratio = figures.keyless / figures.small;
  console.log(`auth-body: ${ROUNDS} rounds of ${REQUESTS} requests each, ${IN_FLIGHT} in flight; server CPU per request`);
  console.log(`auth-body: 254 KiB nested body with an admin key (depth check) ${figures.keyed.toFixed(3)} ms`);
  printRatio(
    'auth-body',
    [
      { label: 'small authenticated GET', value: figures.small, unit: 'ms CPU' },
      { label: '254 KiB nested body, no key', value: figures.keyless, unit: 'ms CPU' },
    ],
    ratio,
    `<= ${MAX_RATIO}`,
    ratio <= MAX_RATIO,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
