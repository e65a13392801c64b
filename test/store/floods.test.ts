import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { AlertDecider } from '../../src/alerts/decision.js';
import { ALERT_DEFAULTS } from '../../src/alerts/settings.js';
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { HitRecorder } from '../../src/server/hit-recorder.js';
import { ServerMetrics } from '../../src/server/metrics.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { HitRetention } from '../../src/store/hit-retention.js';
import { FLOOD_DEFAULTS } from '../../src/store/hit-sampling.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { Outbox } from '../../src/store/outbox.js';
import { AlertRepository } from '../../src/store/repositories/alerts.js';
import { HitRepository } from '../../src/store/repositories/hits.js';
import { TokenRepository, type Token } from '../../src/store/repositories/tokens.js';
import { storeDialects } from '../support/dialects.js';
import { keptOfOneSource } from '../support/floods.js';

const log = pino({ level: 'silent' });
const MINUTE = Date.parse('2030-01-01T00:00:00.000Z');
const { threshold, sampleEvery } = FLOOD_DEFAULTS;

/** A store whose hits go through the real recorder, group-committing writer and alert decision. */
class Harness {
  readonly writer: HitWriter;
  readonly recorder: HitRecorder;
  readonly tokens: TokenRepository;

  constructor(readonly store: Store) {
    this.tokens = new TokenRepository(store.db);
    this.writer = new HitWriter(store.db, { durableCommit: store.durableCommit, dialect: store.dialect });
    this.writer.addHook(new AlertDecider({ outbox: new Outbox(store), settings: ALERT_DEFAULTS, log, clock: () => MINUTE }).hook);
    this.recorder = new HitRecorder({ find: (id) => this.tokens.find(id) }, this.writer, new ServerMetrics(), log);
  }

  async token(): Promise<Token> {
    return this.tokens.create({ id: newTokenId(), kind: 'http', memo: 'flooded', createdAt: new Date(MINUTE).toISOString() });
  }

  /** Records `count` hits, `waves` of them in flight at a time, each at its own millisecond of the minute. */
  async flood(token: Token, count: number, source: (i: number) => string, start = MINUTE, wave = 500): Promise<void> {
    for (let i = 0; i < count; i += wave) {
      const batch = Array.from({ length: Math.min(wave, count - i) }, (_, j) => i + j);
      await Promise.all(
        batch.map((n) =>
          this.recorder.record(token, { source: source(n), userAgent: 'flood/1', detail: { type: 'none' }, at: new Date(start + (n % 60_000)).toISOString() }),
        ),
      );
    }
  }

  async stored(tokenId: string): Promise<number> {
    return new HitRepository(this.store.db).countForToken(tokenId);
  }

  async minuteCounts(tokenId: string): Promise<{ hits: number; kept: number }> {
    const rows = await this.store.db.selectFrom('hit_counts').select(['hits', 'kept']).where('token_id', '=', tokenId).execute();
    return rows.reduce((sum, row) => ({ hits: sum.hits + Number(row.hits), kept: sum.kept + Number(row.kept) }), { hits: 0, kept: 0 });
  }
}

for (const dialect of storeDialects()) {
  describe(`floods on ${dialect.name}`, () => {
    let store: Store;
    let h: Harness;
    before(async () => {
      store = await openStore(await dialect.newLocation());
      h = new Harness(store);
    });
    after(async () => {
      await h.writer.idle();
      await store.close();
    });

    test('10,000 hits from one source in a minute are all counted; only the sample is stored in full', async () => {
      const token = await h.token();
      const total = 10_000;
      await h.flood(token, total, () => '203.0.113.66');
      const after = await h.tokens.get(token.id);
      assert.equal(after.hitCount, total, "the token's count is exact");
      const counts = await h.minuteCounts(token.id);
      assert.equal(counts.hits, total, 'the per-minute counts add up to every hit');
      const stored = await h.stored(token.id);
      assert.equal(stored, keptOfOneSource(total), `the first ${threshold} in full, then one in every ${sampleEvery}`);
      assert.equal(after.hitsKept, stored);
      assert.equal(counts.kept, stored);
      const histogram = await new HitRepository(store.db).histogram(token.id, 'hour');
      assert.deepEqual(histogram, [{ bucket: '2030-01-01T00', count: total }], 'charts count every hit, not the stored ones');
      const [alert] = (await new AlertRepository(store.db).list({ tokenId: token.id })).items;
      assert.equal(alert!.hitCount, total, 'the alert counts every hit too');
    });

    test('a source that joins a flood still has its first hits kept in full', async () => {
      const token = await h.token();
      await h.flood(token, 3000, () => '198.51.100.1');
      await h.flood(token, threshold + 20, () => '198.51.100.2');
      const rows = await store.db.selectFrom('hits').select('source').where('token_id', '=', token.id).where('source', '=', '198.51.100.2').execute();
      assert.equal(rows.length, threshold, 'the newcomer gets its own threshold');
      assert.equal((await h.tokens.get(token.id)).hitCount, 3000 + threshold + 20);
    });

    test('a hit that opens an alert is kept in full, even deep in a flood', async () => {
      const token = await h.token();
      await h.flood(token, 1000, () => '203.0.113.7');
      const opener = await h.recorder.record(token, {
        source: '203.0.113.7',
        userAgent: 'other/2',
        detail: { type: 'none' },
        at: new Date(MINUTE + 1000).toISOString(),
      });
      assert.ok(await new HitRepository(store.db).find(opener.id), 'the hit that opened the second alert is stored');
      const alerts = (await new AlertRepository(store.db).list({ tokenId: token.id })).items;
      assert.equal(alerts.length, 2);
      for (const alert of alerts) assert.ok(await new HitRepository(store.db).find(alert.firstHitId), 'every alert has its first hit in full');
    });

    test("hits that bring their own id (an agent's events) are all kept, so a resent copy is found", async () => {
      const token = await h.token();
      const total = threshold * 2;
      await Promise.all(
        Array.from({ length: total }, (_, n) =>
          h.writer.write({
            id: newRowId(),
            tokenId: token.id,
            kind: 'file',
            at: new Date(MINUTE + n).toISOString(),
            source: 'web-1',
            userAgent: null,
            detail: { type: 'none' },
          }),
        ),
      );
      assert.equal(await h.stored(token.id), total);
      assert.deepEqual(await h.minuteCounts(token.id), { hits: total, kept: total });
    });

    test('spoofed sources cannot make every hit a stored one', async () => {
      const token = await h.token();
      const total = 3000;
      await h.flood(token, total, (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      assert.equal((await h.tokens.get(token.id)).hitCount, total);
      const stored = await h.stored(token.id);
      const ceiling = threshold * 10;
      // Plus the hits that opened an alert (the cap's worth and the token digest): their evidence is kept.
      assert.ok(stored <= ceiling + Math.ceil(total / sampleEvery) + ALERT_DEFAULTS.alertCap + 1, `${stored} stored of ${total}`);
      const sources = await store.db
        .selectFrom('hit_source_counts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('token_id', '=', token.id)
        .executeTakeFirstOrThrow();
      assert.ok(Number(sources.n) < total, `${sources.n} source rows for ${total} sources`);
    });

    test('retention drops old hit details and keeps every count', async () => {
      const token = await h.token();
      // The other tests' hits (at MINUTE) are a day old, well within the retention.
      const now = MINUTE + 86_400_000;
      await h.flood(token, 30, () => '192.0.2.1', now - 366 * 86_400_000);
      await h.flood(token, 20, () => '192.0.2.1', now - 364 * 86_400_000);
      await h.flood(token, 10, () => '192.0.2.1', now - 60_000);
      const untouched = await h.token();
      await h.flood(untouched, 5, () => '192.0.2.9', now - 60_000);
      const retention = new HitRetention(store.db, { retentionMs: 365 * 86_400_000, clock: () => now, batchSize: 7 });
      assert.equal(await retention.runOnce(), 30);
      const after = await h.tokens.get(token.id);
      assert.equal(after.hitCount, 60);
      assert.equal(after.hitsKept, 30);
      assert.equal(await h.stored(token.id), 30);
      assert.equal((await h.minuteCounts(token.id)).hits, 60, 'per-minute counts stay');
      const days = await new HitRepository(store.db).histogram(token.id, 'day');
      assert.equal(
        days.reduce((sum, d) => sum + d.count, 0),
        60,
      );
      assert.equal((await h.tokens.get(untouched.id)).hitsKept, 5);
      assert.equal(await retention.runOnce(), 0, 'a second pass finds nothing more');
      const stale = await store.db
        .selectFrom('hit_source_counts')
        .select('minute')
        .where('minute', '<', new Date(now - 3_600_000).toISOString().slice(0, 16))
        .execute();
      assert.equal(stale.length, 0, 'the per-source bookkeeping of past minutes is pruned');
    });
  });
}
