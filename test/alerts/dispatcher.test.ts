import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AlertSettings } from '../../src/alerts/settings.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';

interface Setup {
  server: TestServer;
  receiver: HttpReceiver;
  channel: string;
  token: { id: string; url: string };
}

async function setUp(alerts: Partial<AlertSettings>, tokenFields: Record<string, unknown> = {}, kind = 'webhook'): Promise<Setup> {
  const receiver = await new HttpReceiver().start();
  const server = await startTestServer({ alerts: { allowPrivateTargets: true, backoffBaseMs: 100, backoffMaxMs: 200, pollMs: 50, ...alerts } });
  const channel = (await server.api('POST', '/channels', { kind, url: receiver.url() })).body.id;
  const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'dispatch', channels: [channel], ...tokenFields })).body;
  return { server, receiver, channel, token };
}

async function tearDown(setup: Setup): Promise<void> {
  await setup.server.close();
  await setup.receiver.stop();
}

async function onlyDelivery(server: TestServer): Promise<any> {
  const page = await server.api('GET', '/deliveries');
  assert.equal(page.body.items.length, 1);
  return page.body.items[0];
}

describe('dispatcher', () => {
  test("honours a 429's Retry-After even beyond its own backoff", async () => {
    const s = await setUp({});
    try {
      s.receiver.behaviour = () => ({ status: 429, headers: { 'retry-after': '30' }, body: 'rate limited' });
      await fetch(s.token.url);
      const delivery = await waitFor('the throttled attempt', async () => {
        const d = await onlyDelivery(s.server);
        return d.attempts === 1 && d.state === 'pending' && d;
      });
      assert.equal(delivery.lastStatus, 429);
      assert.equal(delivery.lastError, 'HTTP 429', 'the status, not what the receiver answered');
      const wait = Date.parse(delivery.nextAttemptAt) - Date.parse(delivery.updatedAt);
      assert.ok(wait >= 29_000 && wait <= 30_000, `next attempt ${wait} ms later`);
      assert.equal(s.receiver.attempts.length, 1);
    } finally {
      await tearDown(s);
    }
  });

  test('an attempt that gets no answer in time fails with the reason and is retried', async () => {
    const s = await setUp({ timeoutMs: 300 });
    try {
      s.receiver.behaviour = () => (s.receiver.attempts.length <= 2 ? 'hang' : { status: 204 });
      await fetch(s.token.url);
      const delivered = await waitFor('delivery after the hangs', async () => {
        const d = await onlyDelivery(s.server);
        return d.state === 'delivered' && d;
      });
      assert.equal(delivered.attempts, 3);
      assert.equal(delivered.lastStatus, 204);
      assert.equal(s.receiver.received.length, 1);
    } finally {
      await tearDown(s);
    }
  });

  test('gives up after the maximum age into a visible dead state, and the API can retry it', async () => {
    const s = await setUp({ maxAgeMs: 1000 });
    try {
      s.receiver.behaviour = () => ({ status: 500, body: 'broken' });
      await fetch(s.token.url);
      const dead = await waitFor('the delivery to die', async () => {
        const d = await onlyDelivery(s.server);
        return d.state === 'dead' && d;
      });
      assert.ok(dead.attempts >= 2);
      assert.equal(dead.lastStatus, 500);
      assert.equal(dead.lastError, 'HTTP 500');
      assert.equal(dead.nextAttemptAt, null);
      const listed = await s.server.api('GET', '/deliveries?state=dead');
      assert.deepEqual(
        listed.body.items.map((d: { id: string }) => d.id),
        [dead.id],
      );

      s.receiver.behaviour = () => ({ status: 200 });
      const retried = await s.server.api('POST', `/deliveries/${dead.id}/retry`);
      assert.equal(retried.status, 200);
      assert.ok(['pending', 'sending', 'delivered'].includes(retried.body.state));
      await waitFor('the retried delivery', async () => (await onlyDelivery(s.server)).state === 'delivered');
      assert.equal(s.receiver.received.length, 1);

      const again = await s.server.api('POST', `/deliveries/${dead.id}/retry`);
      assert.equal(again.status, 409);
      assert.equal(again.body.error, 'conflict');
      assert.equal((await s.server.api('POST', '/deliveries/0000000000000000000000000z/retry')).status, 404);
      assert.equal((await s.server.api('POST', '/deliveries/not-an-id/retry')).status, 404);
      assert.equal((await s.server.api('GET', `/deliveries/${dead.id}`)).body.state, 'delivered');
    } finally {
      await tearDown(s);
    }
  });

  test('sends the digest with the final count when the window closes', async () => {
    const s = await setUp({}, { alertWindowSeconds: 1 });
    try {
      for (let i = 0; i < 5; i++) await fetch(s.token.url, { headers: { 'user-agent': 'same' } });
      const digest = await waitFor('the digest', () => s.receiver.received.find((r) => r.body.event === 'digest'), 10_000);
      assert.equal(digest.body.hitCount, 5);
      assert.equal(digest.body.moreHits, 4);
      assert.ok(Date.parse(String(digest.body.sentAt)) >= Date.parse(digest.body.window.end), 'not before the window closed');
      assert.deepEqual(
        s.receiver.received.map((r) => r.body.event),
        ['alert', 'digest'],
      );
      const alert = (await s.server.api('GET', `/alerts?tokenId=${s.token.id}`)).body.items[0];
      assert.equal(alert.closed, true);
      // A hit after the window is a new alert, sent at once.
      await fetch(s.token.url, { headers: { 'user-agent': 'same' } });
      await waitFor('the next alert', () => s.receiver.received.length === 3);
      assert.equal(s.receiver.received[2]!.body.event, 'alert');
    } finally {
      await tearDown(s);
    }
  });

  test("a deleted channel's unsent deliveries become dead with the reason", async () => {
    const s = await setUp({});
    try {
      s.receiver.behaviour = () => ({ status: 503, headers: { 'retry-after': '3600' } });
      await fetch(s.token.url);
      await waitFor('a failed attempt', async () => (await onlyDelivery(s.server)).attempts === 1);
      assert.equal((await s.server.api('DELETE', `/channels/${s.channel}`)).status, 204);
      const delivery = await onlyDelivery(s.server);
      assert.equal(delivery.state, 'dead');
      assert.equal(delivery.lastError, 'the channel was deleted');
      assert.equal((await s.server.api('GET', `/channels/${s.channel}`)).status, 404);
    } finally {
      await tearDown(s);
    }
  });

  test('a redirect is a failure to see, not a hop to follow', async () => {
    const s = await setUp({});
    try {
      s.receiver.behaviour = (r) => (r.path === '/moved' ? { status: 200 } : { status: 301, headers: { location: s.receiver.url('/moved') } });
      await fetch(s.token.url);
      const delivery = await waitFor('the failed attempt', async () => {
        const d = await onlyDelivery(s.server);
        return d.lastStatus === 301 && d;
      });
      assert.match(delivery.lastError, /HTTP 301/);
      assert.ok(s.receiver.attempts.every((r) => r.path === '/hook'));
    } finally {
      await tearDown(s);
    }
  });
});

describe('metrics', () => {
  let s: Setup;
  before(async () => {
    s = await setUp({});
  });
  after(() => tearDown(s));

  test('count alerts, deliveries by channel kind and outcome, and the backlog', async () => {
    let calls = 0;
    s.receiver.behaviour = () => (calls++ === 0 ? { status: 500 } : { status: 200 });
    await fetch(s.token.url, { headers: { 'user-agent': 'a' } });
    await fetch(s.token.url, { headers: { 'user-agent': 'a' } });
    await waitFor('delivery', () => s.receiver.received.length === 1);
    // The row reads as delivered a moment before its commit is synced and the attempt counted.
    const text = await waitFor('the delivery to be counted', async () => {
      const metrics = await (await fetch(`${s.server.adminUrl}/metrics`)).text();
      return metrics.includes('tripline_alert_deliveries_total{channel_kind="webhook",outcome="delivered"}') && metrics;
    });
    assert.match(text, /^tripline_alerts_total\{kind="http"\} 1$/m);
    assert.match(text, /^tripline_alert_hits_folded_total\{kind="http"\} 1$/m);
    assert.match(text, /^tripline_alert_deliveries_total\{channel_kind="webhook",outcome="retry"\} 1$/m);
    assert.match(text, /^tripline_alert_deliveries_total\{channel_kind="webhook",outcome="delivered"\} 1$/m);
    // The digest waits for the window's end: one pending row in the backlog.
    assert.match(text, /^tripline_alert_delivery_backlog\{state="pending"\} 1$/m);
    assert.match(text, /^tripline_alert_delivery_backlog\{state="dead"\} 0$/m);
  });
});
