import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openEventStream } from '../../support/event-stream.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';

describe('GET /api/v1/events', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  test('refuses a request without a valid key', async () => {
    const missing = await openEventStream(server.adminUrl);
    assert.equal(missing.status, 401);
    missing.close();
    const wrong = await openEventStream(server.adminUrl, 'tpl_admin_wrong');
    assert.equal(wrong.status, 401);
    wrong.close();
  });

  test('streams every hit once it is stored, with the stored hit', async () => {
    const created = await server.api('POST', '/tokens', { kind: 'http', memo: 'events test' });
    assert.equal(created.status, 201);
    const frames = await openEventStream(server.adminUrl, server.key);
    assert.equal(frames.status, 200);
    assert.match(frames.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.equal(frames.headers['cache-control'], 'no-store');
    assert.equal((await frames.next()).event, 'ready');

    const fired = await fetch(`${created.body.url}?from=events-test`, { headers: { 'user-agent': 'events-test/1.0' } });
    assert.equal(fired.status, 200);
    const frame = await frames.next();
    assert.equal(frame.event, 'hit');
    const event = JSON.parse(frame.data) as { type: string; hit: { id: string; tokenId: string; userAgent: string; detail: { query: string } } };
    assert.equal(event.type, 'hit');
    assert.equal(event.hit.tokenId, created.body.id);
    assert.equal(event.hit.userAgent, 'events-test/1.0');
    assert.equal(event.hit.detail.query, 'from=events-test');

    // The pushed hit is already committed: the API returns the same hit.
    const hits = await server.api('GET', `/tokens/${created.body.id}/hits`);
    assert.equal(hits.body.items[0].id, event.hit.id);
    frames.close();
  });

  test('a stream stops receiving once its client goes away', async () => {
    const frames = await openEventStream(server.adminUrl, server.key);
    await frames.next();
    const bus = server.server.services.events;
    const withClient = bus.listenerCount;
    assert.ok(withClient >= 1);
    frames.close();
    await waitFor('the closed stream to unsubscribe', () => bus.listenerCount === withClient - 1);
  });
});

test('closing the server ends open event streams', async () => {
  const server = await startTestServer();
  const frames = await openEventStream(server.adminUrl, server.key);
  assert.equal((await frames.next()).event, 'ready');
  await server.close();
  await assert.rejects(frames.next(), /stream ended/);
});
