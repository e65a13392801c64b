import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/connect.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { sleep, waitFor } from '../support/wait.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DOWN_MS = 10_000;
/** Requests each load client sends at most, whatever happens: the loop is bounded in count and in time. */
const MAX_REQUESTS_PER_CLIENT = 4_000;
const CLIENTS_PER_SERVER = 4;

let postgres: TestPostgres;
const servers: TestServer[] = [];
let receiver: HttpReceiver;
before(async () => {
  postgres = await startPostgres();
  receiver = await new HttpReceiver().start();
});
after(async () => {
  for (const server of servers) await server.close();
  await receiver?.stop();
  postgres?.stop();
});

interface Answer {
  userAgent: string;
  status: number;
}

/** Fires the token at one server until told to stop, each request with its own user agent. */
async function loadClient(url: string, name: string, running: () => boolean, answers: Answer[]): Promise<void> {
  for (let i = 0; running() && i < MAX_REQUESTS_PER_CLIENT; i++) {
    const userAgent = `${name}/${i}`;
    try {
      const response = await fetch(url, { headers: { 'user-agent': userAgent }, signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      answers.push({ userAgent, status: response.status });
    } catch {
      answers.push({ userAgent, status: 0 });
    }
    // Refusals come back at once while the store is down; a pause keeps the loop from spinning.
    if (answers.at(-1)!.status !== 200) await sleep(50);
  }
}

test(`PostgreSQL stopped for ${DOWN_MS / 1000} s under load: 503s meanwhile, no acknowledged hit lost, deliveries sent after, servers reconnect`, async () => {
  const db = await postgres.newDatabase();
  const options = {
    db,
    // Every hit kept in full, so each acknowledged one can be looked up; a short window so digests come due soon.
    flood: { threshold: 1_000_000, sampleEvery: 1 },
    alerts: { allowPrivateTargets: true, backoffBaseMs: 200, backoffMaxMs: 1_000, pollMs: 200 },
  };
  const a = await startTestServer(options);
  servers.push(a);
  const b = await startTestServer({ ...options, adminKey: a.key });
  servers.push(b);
  // The receiver refuses until the store is back, so deliveries are pending across the outage.
  let receiverUp = false;
  receiver.behaviour = () => (receiverUp ? { status: 200 } : { status: 503 });
  const channel = await a.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/hook') });
  assert.equal(channel.status, 201, JSON.stringify(channel.body));
  const token = (await a.api('POST', '/tokens', { kind: 'http', memo: 'outage', alertWindowSeconds: 2, channels: [channel.body.id] })).body as {
    id: string;
    url: string;
  };
  const path = new URL(token.url).pathname;

  let running = true;
  const answers: Answer[] = [];
  const clients = [a, b].flatMap((server, s) =>
    Array.from({ length: CLIENTS_PER_SERVER }, (_, c) => loadClient(`${server.url}${path}`, `load-${s}-${c}`, () => running, answers)),
  );
  try {
    await waitFor('hits acknowledged before the outage', () => answers.filter((x) => x.status === 200).length >= 200, 30_000);
    postgres.halt();
    const downFrom = answers.length;
    await sleep(DOWN_MS);
    const duringOutage = answers.slice(downFrom);
    postgres.start();
    receiverUp = true;
    // Both servers take hits again by themselves (their pools and listeners reconnect).
    const countFrom = answers.length;
    await waitFor(
      'both servers acknowledging hits again',
      () => {
        const since = answers.slice(countFrom).filter((x) => x.status === 200);
        return since.some((x) => x.userAgent.startsWith('load-0-')) && since.some((x) => x.userAgent.startsWith('load-1-'));
      },
      60_000,
      100,
    );
    await sleep(1_000);
    running = false;
    await Promise.all(clients);

    assert.ok(
      duringOutage.some((x) => x.status === 503),
      'hits are refused with 503 while the store is down',
    );
    assert.deepEqual(
      [...new Set(duringOutage.map((x) => x.status))].filter((status) => status !== 200 && status !== 503),
      [],
      'nothing but 503 (or a hit committed just before the stop)',
    );
  } finally {
    running = false;
    await Promise.all(clients);
  }

  const acknowledged = answers.filter((x) => x.status === 200).map((x) => x.userAgent);
  const store = await openStore(db);
  try {
    const stored = new Set((await store.db.selectFrom('hits').select('user_agent').where('token_id', '=', token.id).execute()).map((row) => row.user_agent));
    const lost = acknowledged.filter((userAgent) => !stored.has(userAgent));
    assert.deepEqual(lost, [], `every one of ${acknowledged.length} acknowledged hits is stored`);

    // Every delivery written (before, during and after the outage) goes out once the receiver answers.
    const settled = await waitFor(
      'every delivery sent',
      async () => {
        const rows = await store.db.selectFrom('deliveries').select(['id', 'state']).execute();
        return rows.length > 0 && rows.every((row) => row.state === 'delivered') && rows;
      },
      60_000,
      200,
    );
    const received = new Set(receiver.received.map((r) => r.headers['x-tripline-delivery']));
    assert.deepEqual(
      settled.filter((row) => !received.has(row.id)).map((row) => row.id),
      [],
      'the receiver has each delivery',
    );
    assert.ok(
      receiver.attempts.some((r) => r.at < receiver.received[0]!.at),
      'some were refused first, so they were pending across the outage',
    );
  } finally {
    await store.close();
  }
});
