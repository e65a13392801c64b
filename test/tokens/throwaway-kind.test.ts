/**
 * A token kind defined only in test/tokens/fixtures/throwaway-kind/ goes through the whole
 * product: created, listed and offered by the API, hit over HTTP, stored and read back on both
 * store dialects, served with its own summary and facts, and described in a real Slack-format
 * alert and the signed webhook. Nothing outside that folder names it.
 *
 * What a new kind touches outside its folder: nothing for the API, the store, the alerts or the
 * dashboard (they reach it through the registry and TokenKind.describeHit). A kind shipped in
 * src/tokens/ adds one line to the list in registry.ts, since that list is what the server loads;
 * this fixture registers itself through registerTokenKind() instead. A kind triggered by a new
 * protocol (not HTTP, DNS or the agent) also needs its listener in src/server and a variant in
 * src/core/model/hit-detail.ts: that is a new way in, not a new kind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hitViewSchema } from '../../src/core/model/hit.js';
import { tokenSchema } from '../../src/core/model/token.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';
import { storeDialects } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { THROWAWAY_KIND } from './fixtures/throwaway-kind/index.js';

const SECRET = 'throwaway-kind-secret-0123456789';

for (const dialect of storeDialects()) {
  describe(`a token kind from a fixture folder, on ${dialect.name}`, () => {
    const receiver = new HttpReceiver();
    let server: TestServer;
    before(async () => {
      await receiver.start();
      // Private targets allowed: the receiver is on loopback.
      server = await startTestServer({ db: await dialect.newLocation(), alerts: { allowPrivateTargets: true } });
    });
    after(async () => {
      await server?.close();
      await receiver.stop();
    });

    test('is created, listed, hit, stored, described and alerted on', async (t) => {
      const kinds = await server.api('GET', '/token-kinds');
      assert.ok(
        kinds.body.items.some((k: { kind: string }) => k.kind === THROWAWAY_KIND),
        'offered to create forms',
      );

      const channels: string[] = [];
      for (const body of [
        { kind: 'slack', url: receiver.url('/slack/T0/B0/x') },
        { kind: 'webhook', url: receiver.url('/generic'), secret: SECRET },
      ]) {
        const created = await server.api('POST', '/channels', body);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        channels.push(created.body.id);
      }
      const created = await server.api('POST', '/tokens', {
        kind: THROWAWAY_KIND,
        memo: 'pixel in the board deck',
        options: { beacon: 'board-deck' },
        channels,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const token = created.body;
      assert.match(token.url, new RegExp(`/t/${token.id}/beacon-board-deck\\.png$`), "the artifact is the kind's");
      assert.equal(
        (await server.api('POST', '/tokens', { kind: THROWAWAY_KIND, memo: 'x', options: { beacon: 'Bad Name' } })).status,
        400,
        "the kind's own option check",
      );

      const listed = await server.api('GET', `/tokens?kind=${THROWAWAY_KIND}`);
      assert.deepEqual(
        listed.body.items.map((item: { id: string }) => item.id),
        [token.id],
      );

      const answer = await fetch(token.url, { headers: { 'user-agent': 'DeckViewer/2.0' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'image/gif');

      const stored = await server.server.services.tokens.repository.get(token.id);
      tokenSchema.parse(stored);
      assert.equal(stored.hitCount, 1);
      const hits = await server.api('GET', `/tokens/${token.id}/hits`);
      assert.equal(hits.body.items.length, 1);
      // The API's hit is the model's hit view, checked against its schema.
      const hit = hitViewSchema.parse(hits.body.items[0]);
      assert.equal(hit.kind, THROWAWAY_KIND);
      assert.equal(hit.detail.type, 'http');
      assert.equal(hit.summary, 'beacon board-deck loaded by DeckViewer/2.0');
      assert.deepEqual(hit.facts[0], { label: 'Beacon', value: 'board-deck' });
      assert.ok(
        hit.facts.some((f) => f.label === 'Request' && f.value === `GET ${new URL(token.url).pathname}`),
        'the shared HTTP evidence follows',
      );

      const slack = await waitFor('the Slack message', () => receiver.received.find((r) => r.path.startsWith('/slack/')), 10_000);
      const text = JSON.stringify(slack.body);
      assert.ok(slack.body.text.includes(`The ${THROWAWAY_KIND} token "pixel in the board deck" was triggered by 127.0.0.1`), slack.body.text);
      assert.ok(slack.body.text.includes('beacon board-deck loaded by DeckViewer/2.0'), "the kind's summary ends the alert's sentence");
      assert.ok(text.includes('*Beacon*\\nboard-deck'), "the kind's fact is in the alert");

      const webhook = await waitFor('the webhook', () => receiver.received.find((r) => r.path === '/generic'), 10_000);
      assert.equal(webhook.body.token.kind, THROWAWAY_KIND);
      assert.equal(webhook.body.firstHit.request.path, new URL(token.url).pathname);
      assert.equal(webhook.body.firstHit.detail.type, 'http');
      t.diagnostic(`${dialect.name}: hit ${hit.id} stored and described`);
    });
  });
}
