import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverAndReceiver } from '../alerts/support/fixture.js';
import { waitFor } from '../support/wait.js';
import { keptOfOneSource } from '../support/floods.js';

const STORM_HITS = 10_000;
const CONCURRENCY = 32;
/**
 * The storm (about 10 s here) must finish inside the window for the claim to be about one window;
 * the test then waits for the window to close to see the digest go out.
 */
const WINDOW_SECONDS = 40;
const STORM_DEADLINE_MS = WINDOW_SECONDS * 1000;

/** Fires `count` hits at `url` from `concurrency` loops; stops early (and says so) past the deadline. */
async function storm(url: string, count: number, concurrency: number, userAgent: string): Promise<number> {
  let next = 0;
  let ok = 0;
  const deadline = Date.now() + STORM_DEADLINE_MS;
  const worker = async () => {
    while (next < count) {
      if (Date.now() > deadline) throw new Error(`storm not finished after ${STORM_DEADLINE_MS} ms (${ok} of ${count} sent)`);
      next++;
      const response = await fetch(url, { headers: { 'user-agent': userAgent } });
      await response.arrayBuffer();
      if (response.status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ok;
}

describe('a storm of hits under one grouping key', () => {
  const fixture = serverAndReceiver();

  test(`${STORM_HITS} hits: all counted, one alert, at most one alert and one digest per channel in the window`, async () => {
    const { server, receiver } = fixture;
    const channels: string[] = [];
    for (const kind of ['webhook', 'slack']) {
      const created = await server.api('POST', '/channels', { kind, url: receiver.url(`/${kind}`) });
      assert.equal(created.status, 201);
      channels.push(created.body.id);
    }
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'storm', channels, alertWindowSeconds: WINDOW_SECONDS })).body;

    const started = Date.now();
    const sent = await storm(token.url, STORM_HITS, CONCURRENCY, 'storm/1.0');
    const stormMs = Date.now() - started;
    assert.equal(sent, STORM_HITS);
    assert.ok(stormMs < WINDOW_SECONDS * 1000, `the storm (${stormMs} ms) must fit in one window`);

    // Every hit is counted; past the flood threshold only a sample of one source's hits is stored
    // in full, counted per minute (the storm may straddle a minute boundary, where it starts over).
    const shown = await server.api('GET', `/tokens/${token.id}`);
    assert.equal(shown.body.hitCount, STORM_HITS);
    const { db } = server.server.services.store;
    const minutes = await db.selectFrom('hit_counts').select('hits').where('token_id', '=', token.id).execute();
    assert.equal(
      minutes.reduce((sum, m) => sum + Number(m.hits), 0),
      STORM_HITS,
    );
    const sampled = minutes.reduce((sum, { hits }) => sum + keptOfOneSource(hits), 0);
    const stored = await db
      .selectFrom('hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('token_id', '=', token.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), sampled);
    assert.equal(shown.body.hitsKept, sampled);

    // One alert holds them all; the first hit was not held back, the rest wait for the digest.
    const alerts = await server.api('GET', `/alerts?tokenId=${token.id}`);
    assert.equal(alerts.body.items.length, 1);
    const alert = alerts.body.items[0];
    assert.equal(alert.hitCount, STORM_HITS);
    for (const channel of channels) {
      const forChannel = alert.deliveries.filter((d: { channelId: string }) => d.channelId === channel);
      assert.ok(forChannel.length <= 2, `${forChannel.length} deliveries for one channel`);
      assert.deepEqual(forChannel.map((d: { purpose: string }) => d.purpose).sort(), ['alert', 'digest']);
      const digest = forChannel.find((d: { purpose: string }) => d.purpose === 'digest');
      assert.equal(digest.state, 'pending');
      assert.equal(digest.nextAttemptAt, alert.windowEnd, 'the digest is due when the window closes');
    }
    await waitFor('the first alert on both channels', () => receiver.received.length >= 2 && true);
    assert.equal(receiver.received.length, 2, 'one message per channel during the storm');
    for (const message of receiver.received) assert.ok(JSON.stringify(message.body).includes('storm'));

    // When the window closes, one digest per channel carries the other 9,999 hits.
    const msLeft = Date.parse(alert.windowEnd) - Date.now();
    const digests = await waitFor(
      'the digests',
      () => {
        const found = receiver.received.filter((r) => r.body.event === 'digest' || String(r.body.text).includes('more hits'));
        return found.length >= 2 && found;
      },
      msLeft + 15_000,
      100,
    );
    const webhookDigest = digests.find((r) => r.path === '/webhook')!;
    assert.equal(webhookDigest.body.event, 'digest');
    assert.equal(webhookDigest.body.hitCount, STORM_HITS);
    assert.equal(webhookDigest.body.moreHits, STORM_HITS - 1);
    assert.ok(JSON.stringify(digests.find((r) => r.path === '/slack')!.body).includes(`${STORM_HITS - 1} more hits`));
    assert.equal(receiver.received.length, 4, 'in all, one alert and one digest per channel');
    const all = await db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(all.n), 4);
  });
});
