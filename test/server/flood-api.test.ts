import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { keptOfOneSource } from '../support/floods.js';
import { startTestServer, type TestServer } from '../support/server.js';

const flood = { threshold: 10, sampleEvery: 20 };
const HITS = 200;
const CONCURRENCY = 20;

describe('a flood over HTTP, as the API shows it', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ flood });
  });
  after(async () => {
    await server.close();
  });

  test(`${HITS} hits from one source: "N hits, M kept in full" on the token and its hit listing`, async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'flooded' })).body;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < HITS) {
          next += 1;
          const response = await fetch(token.url, { headers: { 'user-agent': 'flood/1' } });
          await response.arrayBuffer();
          assert.equal(response.status, 200);
        }
      }),
    );
    // The hits may straddle a minute boundary, where sampling starts over: expect per minute.
    const minutes = await server.server.services.store.db.selectFrom('hit_counts').select(['hits']).where('token_id', '=', token.id).execute();
    assert.equal(
      minutes.reduce((sum, m) => sum + Number(m.hits), 0),
      HITS,
    );
    const kept = minutes.reduce((sum, m) => sum + keptOfOneSource(Number(m.hits), flood), 0);
    assert.ok(kept < HITS / 5);

    const shown = (await server.api('GET', `/tokens/${token.id}`)).body;
    assert.equal(shown.hitCount, HITS);
    assert.equal(shown.hitsKept, kept);
    const listing = (await server.api('GET', `/tokens/${token.id}/hits?limit=500`)).body;
    assert.equal(listing.hitCount, HITS);
    assert.equal(listing.hitsKept, kept);
    assert.equal(listing.items.length, kept);
    assert.equal(listing.nextCursor, null);
    const histogram = (await server.api('GET', `/tokens/${token.id}/histogram?bucket=hour`)).body;
    assert.equal(
      histogram.series.reduce((sum: number, b: { count: number }) => sum + b.count, 0),
      HITS,
    );
  });
});
