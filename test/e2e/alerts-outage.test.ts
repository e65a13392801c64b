import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpReceiver, type Behaviour } from '../support/http-receiver.js';
import { sleep, waitFor } from '../support/wait.js';
import { startTestServer } from '../support/server.js';

const OUTAGE_MS = 120_000;
const ALERTS_AT_START = 10;
const ALERTS_MID_OUTAGE = 10;

/** Every way a receiver fails, in turn: errors, throttling, cut connections, silence. */
function failing(): Behaviour {
  let n = 0;
  return () => {
    switch (n++ % 5) {
      case 0:
        return { status: 500, body: 'internal error' };
      case 1:
        return { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' };
      case 2:
        return 'drop';
      case 3:
        return 'hang';
      default:
        return { status: 503, body: 'maintenance' };
    }
  };
}

test('a receiver that fails for two minutes and then recovers gets every alert', async () => {
  const receiver = await new HttpReceiver().start();
  // Retries capped at 3 s so the recovery is seen soon; the timeout at 1 s so hangs cost little.
  // Each user agent is its own alert: the cap must let all of them through.
  const server = await startTestServer({
    alerts: { allowPrivateTargets: true, timeoutMs: 1000, backoffBaseMs: 200, backoffMaxMs: 3000, pollMs: 200, alertCap: ALERTS_AT_START + ALERTS_MID_OUTAGE },
  });
  try {
    const channels: string[] = [];
    for (const kind of ['webhook', 'slack']) {
      channels.push((await server.api('POST', '/channels', { kind, url: receiver.url(`/${kind}`) })).body.id);
    }
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'outage', channels })).body;
    const outageEnds = Date.now() + OUTAGE_MS;
    receiver.behaviour = failing();

    const fire = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) await fetch(token.url, { headers: { 'user-agent': `client-${i}` } });
    };
    await fire(0, ALERTS_AT_START);
    await sleep(OUTAGE_MS / 2);
    await fire(ALERTS_AT_START, ALERTS_MID_OUTAGE);
    await sleep(Math.max(0, outageEnds - Date.now()));
    assert.equal(receiver.received.length, 0, 'nothing got through during the outage');
    receiver.behaviour = () => ({ status: 200 });

    const total = (ALERTS_AT_START + ALERTS_MID_OUTAGE) * channels.length;
    const deliveries = await waitFor(
      'every delivery to be delivered',
      async () => {
        const page = await server.api('GET', '/deliveries?limit=500');
        return page.body.items.length === total && page.body.items.every((d: { state: string }) => d.state === 'delivered') && page.body.items;
      },
      60_000,
      200,
    );
    // Each delivery reached the receiver exactly once, after failing at least once.
    const receivedIds = receiver.received.map((r) => String(r.headers['x-tripline-delivery'] ?? r.body?.deliveryId ?? ''));
    const webhookIds = receiver.received.filter((r) => r.path === '/webhook').map((r) => r.body.deliveryId);
    assert.equal(receiver.received.length, total);
    assert.equal(new Set(webhookIds).size, ALERTS_AT_START + ALERTS_MID_OUTAGE);
    for (const delivery of deliveries) {
      assert.ok(delivery.attempts > 1, `delivery ${delivery.id} was tried ${delivery.attempts} times`);
      if (delivery.channelKind === 'webhook') assert.ok(receivedIds.includes(delivery.id));
    }
    // Every alert (client-0 .. client-19) arrived on both channels.
    for (let i = 0; i < ALERTS_AT_START + ALERTS_MID_OUTAGE; i++) {
      assert.equal(receiver.received.filter((r) => r.path === '/webhook' && r.body.firstHit.userAgent === `client-${i}`).length, 1);
      const named = new RegExp(`client-${i}(?!\\d)`);
      assert.equal(receiver.received.filter((r) => r.path === '/slack' && named.test(JSON.stringify(r.body))).length, 1);
    }
    // All the failure modes were really exercised.
    const failures = receiver.attempts.length - receiver.received.length;
    assert.ok(failures >= 5 * 2, `${failures} failed attempts`);
  } finally {
    await server.close();
    await receiver.stop();
  }
});
