import assert from 'node:assert/strict';
import { get, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';

interface SseFrame {
  event: string;
  data: string;
}

interface EventStream {
  status: number;
  headers: IncomingHttpHeaders;
  next(): Promise<SseFrame>;
  close(): void;
}

/**
 * Opens the event stream with node:http rather than fetch(): undici opens a spare connection when
 * a streamed body is cancelled, and that idle socket would hold server.close() for its keep-alive.
 */
function openEventStream(url: string, key?: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const request = get(`${url}/api/v1/events`, { agent: false, headers: key ? { authorization: `Bearer ${key}` } : {} }, (response) => {
      response.setEncoding('utf8');
      let buffered = '';
      let ended = false;
      let wake: (() => void) | undefined;
      response.on('data', (chunk: string) => {
        buffered += chunk;
        wake?.();
      });
      const finish = () => {
        ended = true;
        wake?.();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        async next() {
          for (;;) {
            const end = buffered.indexOf('\n\n');
            if (end !== -1) {
              const block = buffered.slice(0, end);
              buffered = buffered.slice(end + 2);
              const lines = block.split('\n').filter((line) => !line.startsWith(':'));
              if (lines.length === 0) continue;
              const field = (name: string) =>
                lines
                  .filter((line) => line.startsWith(`${name}: `))
                  .map((line) => line.slice(name.length + 2))
                  .join('\n');
              return { event: field('event'), data: field('data') };
            }
            if (ended) throw new Error('stream ended');
            await new Promise<void>((done) => (wake = done));
          }
        },
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

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
