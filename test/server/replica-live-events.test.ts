import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openEventStream, type EventStream } from '../support/event-stream.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';

let postgres: TestPostgres;
const servers: TestServer[] = [];
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  for (const server of servers) await server.close();
  postgres?.stop();
});

/** The next hit frames on a stream, until one for this hit id arrives (bounded by the frames read). */
async function hitsUntil(stream: EventStream, hitId: string): Promise<{ id: string; tokenId: string }[]> {
  const seen: { id: string; tokenId: string }[] = [];
  for (let i = 0; i < 100; i++) {
    const frame = await stream.next();
    if (frame.event !== 'hit') continue;
    const { hit } = JSON.parse(frame.data) as { hit: { id: string; tokenId: string } };
    seen.push(hit);
    if (hit.id === hitId) return seen;
  }
  throw new Error(`hit ${hitId} not seen in 100 frames`);
}

async function fire(server: TestServer, tokenId: string, agent: string): Promise<string> {
  const response = await fetch(`${server.url}/assets/${tokenId}/logo.gif`, { headers: { 'user-agent': agent } });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
  const page = await server.api('GET', `/tokens/${tokenId}/hits`);
  const hit = (page.body.items as { id: string; userAgent: string }[]).find((h) => h.userAgent === agent);
  assert.ok(hit, `hit by ${agent} stored`);
  return hit.id;
}

test("two servers on one PostgreSQL: each one's event stream shows the other's hits live, and its own once", async () => {
  const db = await postgres.newDatabase();
  const a = await startTestServer({ db });
  servers.push(a);
  const b = await startTestServer({ db, adminKey: a.key });
  servers.push(b);
  const token = (await a.api('POST', '/tokens', { kind: 'http', memo: 'replicas' })).body as { id: string };

  const onA = await openEventStream(a.adminUrl, a.key);
  const onB = await openEventStream(b.adminUrl, b.key);
  try {
    assert.equal((await onA.next()).event, 'ready');
    assert.equal((await onB.next()).event, 'ready');

    const fromA = await fire(a, token.id, 'replica-a/1.0');
    const seenOnB = await hitsUntil(onB, fromA);
    assert.deepEqual(
      seenOnB.map((hit) => hit.id),
      [fromA],
      "B's stream shows A's hit, read back whole",
    );
    assert.equal(seenOnB[0]!.tokenId, token.id);

    // A hit on B reaches A after A's own hit: had A published its own hit twice (once when
    // recorded, once from its own NOTIFY), the copy would come before B's.
    const fromB = await fire(b, token.id, 'replica-b/1.0');
    const seenOnA = await hitsUntil(onA, fromB);
    assert.deepEqual(
      seenOnA.map((hit) => hit.id),
      [fromA, fromB],
    );
    assert.deepEqual(
      (await hitsUntil(onB, fromB)).map((hit) => hit.id),
      [fromB],
      "B's own hit once on B's stream",
    );
  } finally {
    onA.close();
    onB.close();
  }
});
