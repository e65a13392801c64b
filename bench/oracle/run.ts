/**
 * Liveness oracle by time: does a token id's answer come back sooner when the id is unknown or
 * disabled than when it is live? One intruder asking once is what is timed, so requests go one at
 * a time, each on a fresh connection (HTTP: node:http with agent false, the way curl would ask),
 * and DNS queries go over UDP from one node:dgram socket. The ids take turns round by round, in a
 * rotating order, so drift in the machine's speed lands on all of them alike.
 *
 * Two groups, each run on its own: the same live, disabled and unknown id asked again and again
 * (the server's token cache holds all three), and a new id of each kind for every request (a
 * token cache miss, and for the live one its first hit, which raises an alert).
 * Target: in each group every median within ORACLE_MAX_DIFF (default 0.15) of the live one, for
 * HTTP and for DNS.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { newTokenId } from '../../src/core/ids.js';
import { freePort } from '../../test/support/ports.js';
import { listenArgs, spawnServer } from '../../test/support/process.js';
import { median, percentile, printRatio, targetFromEnv } from '../support/report.js';

const REQUESTS = Number(process.env.ORACLE_REQUESTS ?? 500);
const WARMUP = Number(process.env.ORACLE_WARMUP ?? 50);
const MAX_DIFF = targetFromEnv('ORACLE_MAX_DIFF', 0.15);
const ZONE = 'oracle.bench.test';
const TIMEOUT_MS = 5000;

type Series = 'live' | 'disabled' | 'unknown';
const SERIES: Series[] = ['live', 'disabled', 'unknown'];

/** One GET on its own connection; resolves with the milliseconds until the whole answer was read. */
function timeHttp(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: false, headers: { 'user-agent': 'bench/1.0' }, timeout: TIMEOUT_MS }, (response) => {
      response.resume();
      response.once('end', () => {
        if (response.statusCode !== 200) reject(new Error(`${url} answered ${response.statusCode}`));
        else resolve(performance.now() - started);
      });
    });
    req.once('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

/** A UDP socket that times one query at a time. */
async function dnsClient(port: number): Promise<{ time(name: string): Promise<number>; close(): void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  let waiting: { id: number; done: (reply: Buffer) => void } | undefined;
  socket.on('message', (message) => {
    if (waiting && message.readUInt16BE(0) === waiting.id) waiting.done(message);
  });
  let nextId = 1;
  return {
    time(name) {
      nextId = (nextId % 65_535) + 1;
      const id = nextId;
      const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no DNS answer for ${name}`)), TIMEOUT_MS);
        const started = performance.now();
        waiting = {
          id,
          done: () => {
            const elapsed = performance.now() - started;
            clearTimeout(timer);
            waiting = undefined;
            resolve(elapsed);
          },
        };
        socket.send(query, port, '127.0.0.1');
      });
    },
    close: () => socket.close(),
  };
}

/** Times every series REQUESTS times, in turns; the first WARMUP turns are not kept. */
async function measure(time: (series: Series) => Promise<number>): Promise<Map<Series, number[]>> {
  const samples = new Map<Series, number[]>(SERIES.map((s) => [s, []]));
  for (let round = 0; round < WARMUP + REQUESTS; round++) {
    for (let i = 0; i < SERIES.length; i++) {
      const series = SERIES[(round + i) % SERIES.length]!;
      const elapsed = await time(series);
      if (round >= WARMUP) samples.get(series)!.push(elapsed);
    }
  }
  return samples;
}

/** Prints medians, p90s and ratios to live; true when every median is within MAX_DIFF of live's. */
function report(name: string, samples: Map<Series, number[]>): boolean {
  const live = median(samples.get('live')!);
  let worst = 1;
  for (const series of SERIES) {
    const values = [...samples.get(series)!].sort((a, b) => a - b);
    const p50 = percentile(values, 50);
    const ratio = p50 / live;
    if (Math.abs(ratio - 1) > Math.abs(worst - 1)) worst = ratio;
    console.log(`${name}: ${series}: median ${p50.toFixed(3)} ms, p90 ${percentile(values, 90).toFixed(3)} ms, median ratio to live ${ratio.toFixed(3)}`);
  }
  const ok = Math.abs(worst - 1) <= MAX_DIFF;
  printRatio(name, [], worst, `every median within ${MAX_DIFF} of live`, ok);
  return ok;
}

const dir = mkdtempSync(join(tmpdir(), 'tripline-bench-'));
const key = 'bench-admin-key-with-at-least-32-characters';
const dnsPort = await freePort();
// One source asks thousands of times a minute, far past the DNS answer rate limit: it is off here.
const tripline = await spawnServer(
  [
    ...(await listenArgs()),
    '--db',
    join(dir, 'bench.db'),
    '--dns-zone',
    ZONE,
    '--dns-port',
    String(dnsPort),
    '--dns-address',
    '127.0.0.1',
    '--dns-host',
    '127.0.0.1',
    '--dns-rate-limit',
    '0',
  ],
  { TRIPLINE_ADMIN_KEY: key },
);
let met = false;
try {
  const api = async (method: string, path: string, body: unknown): Promise<{ id: string }> => {
    const response = await fetch(`${tripline.adminUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const token = async (kind: 'http' | 'dns', enabled: boolean): Promise<string> => {
    const { id } = await api('POST', '/tokens', { kind, memo: `oracle bench ${kind}` });
    if (!enabled) await api('PATCH', `/tokens/${id}`, { enabled: false });
    return id;
  };
  /** The same id of each kind for every request. */
  const sameIds = async (kind: 'http' | 'dns'): Promise<Record<Series, () => string>> => {
    const live = await token(kind, true);
    const disabled = await token(kind, false);
    const unknown = newTokenId();
    return { live: () => live, disabled: () => disabled, unknown: () => unknown };
  };
  /** A new id of each kind for every request. */
  const newIds = async (kind: 'http' | 'dns'): Promise<Record<Series, () => string>> => {
    const live: string[] = [];
    const disabled: string[] = [];
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      live.push(await token(kind, true));
      disabled.push(await token(kind, false));
    }
    return { live: () => live.pop()!, disabled: () => disabled.pop()!, unknown: newTokenId };
  };

  const client = await dnsClient(dnsPort);
  const results: boolean[] = [];
  console.log(`oracle: ${REQUESTS} requests per series after ${WARMUP} warm-up rounds; HTTP on a fresh connection each, DNS over UDP`);
  for (const [group, ids] of [
    ['same id', sameIds],
    ['new id each', newIds],
  ] as const) {
    const http = await ids('http');
    results.push(report(`oracle http (${group})`, await measure((series) => timeHttp(`${tripline.url}/${http[series]()}`))));
    const dns = await ids('dns');
    results.push(report(`oracle dns (${group})`, await measure((series) => client.time(`${dns[series]()}.${ZONE}`))));
  }
  client.close();
  met = results.every(Boolean);
  console.log(`oracle: ${met ? 'MET' : 'NOT MET'}`);
} finally {
  await tripline.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = met ? 0 : 1;
