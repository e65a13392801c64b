import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { bulkLoadHits } from '../../src/store/bulk-load.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { FLOOD_DEFAULTS } from '../../src/store/hit-sampling.js';
import { migrations } from '../../src/store/migrations/index.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { HitRepository, type Hit } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { rawConnection, storeDialects } from '../support/dialects.js';

const START = Date.parse('2030-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

type Series = { bucket: string; count: number }[];

/** Hits per hour or day counted one by one from the stored rows. */
async function countedFromHits(store: Store, tokenId: string, width: 13 | 10): Promise<Series> {
  const rows = await store.db
    .selectFrom('hits')
    .select([sql<string>`substr(at, 1, ${sql.lit(width)})`.as('bucket'), sql<number>`count(*)`.as('n')])
    .where('token_id', '=', tokenId)
    .groupBy('bucket')
    .orderBy('bucket')
    .execute();
  return rows.map((r) => ({ bucket: r.bucket, count: Number(r.n) }));
}

/** Hits per hour summed from the exact per-minute counts. */
async function countedFromMinutes(store: Store, tokenId: string): Promise<Series> {
  const rows = await store.db
    .selectFrom('hit_counts')
    .select([sql<string>`substr(minute, 1, 13)`.as('bucket'), sql<number>`sum(hits)`.as('n')])
    .where('token_id', '=', tokenId)
    .groupBy('bucket')
    .orderBy('bucket')
    .execute();
  return rows.map((r) => ({ bucket: r.bucket, count: Number(r.n) }));
}

function hit(tokenId: string, at: number, source: string): Omit<Hit, 'id'> {
  return { tokenId, kind: 'http', at: new Date(at).toISOString(), source, userAgent: 'rollup/1', detail: { type: 'none' } };
}

/** Hits spread over three days, a few an hour at irregular minutes, from a handful of sources. */
function spread(tokenId: string, count: number): Omit<Hit, 'id'>[] {
  return Array.from({ length: count }, (_, i) => hit(tokenId, START + ((i * 7_919_000) % (72 * HOUR)), `198.51.100.${i % 7}`));
}

for (const dialect of storeDialects()) {
  describe(`hourly rollups on ${dialect.name}`, () => {
    let store: Store;
    let tokens: TokenRepository;
    before(async () => {
      store = await openStore(await dialect.newLocation());
      tokens = new TokenRepository(store.db);
    });
    after(() => store.close());

    const newToken = () => tokens.create({ id: newTokenId(), kind: 'http', memo: 'rollups', createdAt: new Date(START).toISOString() });

    test('hour and day charts equal a count over the stored hits when none is sampled', async () => {
      const token = await newToken();
      const writer = new HitWriter(store.db, { durableCommit: store.durableCommit, flood: { threshold: 1_000_000, sampleEvery: 1 } });
      await Promise.all(spread(token.id, 900).map((h) => writer.write(h)));
      await writer.idle();
      const hits = new HitRepository(store.reader);
      const hourly = await hits.histogram(token.id, 'hour');
      assert.equal(hourly.length, 72, 'three days of hours');
      assert.deepEqual(hourly, await countedFromHits(store, token.id, 13));
      assert.deepEqual(await hits.histogram(token.id, 'day'), await countedFromHits(store, token.id, 10));
      assert.deepEqual(hourly, await countedFromMinutes(store, token.id));
    });

    test('under a flood the charts count every hit, the sampled ones too', async () => {
      const token = await newToken();
      const writer = new HitWriter(store.db, { durableCommit: store.durableCommit, flood: FLOOD_DEFAULTS });
      const flood = Array.from({ length: 3000 }, (_, i) => hit(token.id, START + 5 * HOUR + (i % 60_000), '203.0.113.9'));
      const calm = spread(token.id, 200);
      for (let i = 0; i < flood.length; i += 500) await Promise.all(flood.slice(i, i + 500).map((h) => writer.write(h)));
      await Promise.all(calm.map((h) => writer.write(h)));
      await writer.idle();
      const hourly = await new HitRepository(store.reader).histogram(token.id, 'hour');
      const written = new Map<string, number>();
      for (const h of [...flood, ...calm]) written.set(h.at.slice(0, 13), (written.get(h.at.slice(0, 13)) ?? 0) + 1);
      assert.deepEqual(
        hourly,
        [...written].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, count]) => ({ bucket, count })),
      );
      assert.deepEqual(hourly, await countedFromMinutes(store, token.id));
      const stored = (await countedFromHits(store, token.id, 13)).reduce((sum, b) => sum + b.count, 0);
      assert.ok(stored < flood.length, `the flood was sampled (${stored} stored of ${flood.length + calm.length})`);
      assert.equal((await tokens.get(token.id)).hitCount, flood.length + calm.length);
    });

    test('a bulk load moves every count as the hit path does', async () => {
      const [a, b] = [await newToken(), await newToken()];
      const loaded = [...spread(a.id, 700), ...spread(b.id, 300)].map((h) => ({ ...h, id: newRowId() }));
      await bulkLoadHits(store.db, loaded.slice(0, 600));
      await bulkLoadHits(store.db, loaded.slice(600));
      const hits = new HitRepository(store.reader);
      for (const [token, count] of [
        [a, 700],
        [b, 300],
      ] as const) {
        assert.deepEqual(await hits.histogram(token.id, 'hour'), await countedFromHits(store, token.id, 13));
        assert.deepEqual(await hits.histogram(token.id, 'hour'), await countedFromMinutes(store, token.id));
        assert.deepEqual(await hits.histogram(token.id, 'day'), await countedFromHits(store, token.id, 10));
        const after = await tokens.get(token.id);
        assert.equal(after.hitCount, count);
        assert.equal(after.hitsKept, count);
        assert.equal(await hits.countForToken(token.id), count);
        const latest = loaded.filter((h) => h.tokenId === token.id).reduce((max, h) => (h.at > max ? h.at : max), '');
        assert.equal(after.lastHitAt, latest);
      }
    });

    test('deleting a token deletes its hourly counts', async () => {
      const token = await newToken();
      await bulkLoadHits(
        store.db,
        spread(token.id, 50).map((h) => ({ ...h, id: newRowId() })),
      );
      await tokens.delete(token.id);
      assert.deepEqual(await new HitRepository(store.reader).histogram(token.id, 'hour'), []);
    });

    test('migration 007 starts the hourly counts from the per-minute counts already kept', async () => {
      const location = await dialect.newLocation();
      const old = rawConnection(location);
      const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '007'));
      const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => earlier } }).migrateToLatest();
      if (error) throw error;
      const id = newTokenId();
      const minutes = [
        ['2030-01-01T00:05', 3],
        ['2030-01-01T00:59', 4],
        ['2030-01-01T01:00', 5],
        ['2030-01-02T13:30', 6],
      ] as const;
      await old
        .insertInto('hit_counts')
        .values(minutes.map(([minute, hits]) => ({ token_id: id, minute, hits, kept: 1, sources: 1 })))
        .execute();
      await old.destroy();
      const upgraded = await openStore(location);
      try {
        const hits = new HitRepository(upgraded.reader);
        assert.deepEqual(await hits.histogram(id, 'hour'), [
          { bucket: '2030-01-01T00', count: 7 },
          { bucket: '2030-01-01T01', count: 5 },
          { bucket: '2030-01-02T13', count: 6 },
        ]);
        assert.deepEqual(await hits.histogram(id, 'day'), [
          { bucket: '2030-01-01', count: 12 },
          { bucket: '2030-01-02', count: 6 },
        ]);
      } finally {
        await upgraded.close();
      }
    });
  });
}
