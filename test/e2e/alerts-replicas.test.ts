import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { ChannelService } from '../../src/alerts/channel-service.js';
import { AlertDecider } from '../../src/alerts/decision.js';
import { ALERT_DEFAULTS } from '../../src/alerts/settings.js';
import { newSecret } from '../../src/core/ids.js';
import { openStore } from '../../src/store/connect.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { Outbox } from '../../src/store/outbox.js';
import { TokenService } from '../../src/tokens/service.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { listenArgs, spawnServer, type ServerProcess } from '../support/process.js';
import { sleep, waitFor } from '../support/wait.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const DELIVERIES = 1000;

let postgres: TestPostgres;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres?.stop());

/** Writes DELIVERIES alerts (distinct user agents) through the real hit writer and decision, with no dispatcher running. */
async function pendingBacklog(url: string, receiverUrl: string): Promise<void> {
  const store = await openStore(url);
  try {
    const log = pino({ level: 'silent' });
    await new ChannelService(store.db, { ...ALERT_DEFAULTS, allowPrivateTargets: true }, log, () => '').create({
      kind: 'webhook',
      url: receiverUrl,
      isDefault: true,
    });
    const token = await new TokenService(store.db, { publicUrl: 'http://127.0.0.1:9' }).create({ kind: 'http', memo: 'replicas' });
    const writer = new HitWriter(store.db);
    // One alert per user agent: the cap must let every one of them through.
    writer.addHook(new AlertDecider({ outbox: new Outbox(store), settings: { ...ALERT_DEFAULTS, alertCap: DELIVERIES }, log }).hook);
    await Promise.all(
      Array.from({ length: DELIVERIES }, (_, i) =>
        writer.write({
          tokenId: token.id,
          kind: 'http',
          at: new Date().toISOString(),
          source: '198.51.100.7',
          userAgent: `agent-${i}`,
          detail: { type: 'none' },
        }),
      ),
    );
    const pending = await store.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    assert.equal(Number(pending.n), DELIVERIES);
  } finally {
    await store.close();
  }
}

test(`two server processes on one PostgreSQL send each of ${DELIVERIES} pending deliveries exactly once`, async () => {
  const url = await postgres.newDatabase();
  // A healthy but not instant receiver, so the two processes' work overlaps.
  const receiver = await new HttpReceiver().start();
  receiver.behaviour = () => ({ status: 200, delayMs: 20 });
  await pendingBacklog(url, receiver.url('/hook'));

  const servers: ServerProcess[] = [];
  try {
    const args = ['--delivery-concurrency', '8', '--allow-private-targets'];
    // Started together; each claims with FOR UPDATE SKIP LOCKED.
    const env = { TRIPLINE_ADMIN_KEY: newSecret('tpl_test') };
    const [a, b] = [await listenArgs(), await listenArgs()];
    // Settled rather than all: a server that started is stopped below even if the other did not.
    const started = await Promise.allSettled([spawnServer([...a, '--db', url, ...args], env), spawnServer([...b, '--db', url, ...args], env)]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    await waitFor(
      'every delivery at the receiver',
      () => new Set(receiver.received.map((r) => r.headers['x-tripline-delivery'])).size === DELIVERIES && true,
      120_000,
      100,
    );
    // Anything sent twice would arrive now, after the last first copy.
    await sleep(1500);

    const perDelivery = new Map<string, number>();
    for (const request of receiver.received) {
      const id = String(request.headers['x-tripline-delivery']);
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    assert.equal(perDelivery.size, DELIVERIES);
    const repeated = [...perDelivery].filter(([, n]) => n !== 1);
    assert.deepEqual(repeated, [], 'no delivery was sent twice');
    assert.equal(receiver.attempts.length, DELIVERIES);

    const store = await openStore(url);
    try {
      const rows = await store.db.selectFrom('deliveries').select(['state', 'attempts', 'claimed_by']).execute();
      assert.ok(
        rows.every((r) => r.state === 'delivered' && Number(r.attempts) === 1),
        'each row delivered on its first and only claim',
      );
      const byProcess = new Map<string, number>();
      for (const row of rows) byProcess.set(String(row.claimed_by), (byProcess.get(String(row.claimed_by)) ?? 0) + 1);
      assert.equal(byProcess.size, 2, `both processes sent: ${JSON.stringify([...byProcess])}`);
    } finally {
      await store.close();
    }
  } finally {
    for (const server of servers) await server.stop();
    await receiver.stop();
  }
});
