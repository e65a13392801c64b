import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALERT_DEFAULTS } from '../../src/alerts/settings.js';
import { serverAndReceiver } from './support/fixture.js';
import { waitFor } from '../support/wait.js';

const CAP = ALERT_DEFAULTS.alertCap;
const HITS = 50;

describe('alert cap per token and window', () => {
  const fixture = serverAndReceiver();

  test(`${HITS} hits with ${HITS} user agents: ${CAP} alerts, then one digest per channel for the rest`, async () => {
    const { server, receiver } = fixture;
    const channels: string[] = [];
    for (const path of ['/first', '/second']) {
      const created = await server.api('POST', '/channels', { kind: 'webhook', url: receiver.url(path) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      channels.push(created.body.id);
    }
    // Long enough for every hit to land in one window, short enough to wait for its digest.
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'scanned', alertWindowSeconds: 6, channels })).body;

    const answers = await Promise.all(
      Array.from({ length: HITS }, (_, i) => fetch(token.url, { headers: { 'user-agent': `scanner/${i}` } }).then((r) => r.arrayBuffer().then(() => r.status))),
    );
    assert.ok(answers.every((status) => status === 200));

    const expected = channels.length * (CAP + 1);
    await waitFor('the alerts and the digests', () => receiver.received.length >= expected, 30_000);
    // Every delivery the decision scheduled has gone: nothing more is on its way. The receiver
    // counts a request before the dispatcher has recorded its answer, so wait for the records.
    const outbox = await waitFor('every delivery recorded as delivered', async () => {
      const rows = (await server.api('GET', '/deliveries?limit=100')).body.items as { state: string }[];
      return rows.every((d) => d.state === 'delivered') && rows;
    });
    assert.equal(outbox.length, expected);
    assert.equal(receiver.received.length, expected);

    for (const path of ['/first', '/second']) {
      const mine = receiver.received.filter((r) => r.path === path).map((r) => r.body);
      assert.equal(mine.filter((b) => b.event === 'alert').length, CAP, `${CAP} alerts to ${path}`);
      const digests = mine.filter((b) => b.event === 'digest');
      assert.equal(digests.length, 1, `one digest to ${path}`);
      assert.equal(digests[0].moreSources, HITS - CAP);
      assert.equal(digests[0].moreHits, HITS - CAP);
      assert.equal(digests[0].hitCount, HITS - CAP);
    }

    const alerts = (await server.api('GET', `/alerts?tokenId=${token.id}`)).body.items;
    assert.equal(alerts.length, CAP + 1, 'the capped alerts and the token digest');
    assert.equal(
      alerts.reduce((sum: number, a: { hitCount: number }) => sum + a.hitCount, 0),
      HITS,
      'every hit is in an alert',
    );
    const shown = (await server.api('GET', `/tokens/${token.id}`)).body;
    assert.equal(shown.hitCount, HITS);
    assert.equal(shown.hitsKept, HITS, 'no flood: each of these hits is kept in full');
  });
});
