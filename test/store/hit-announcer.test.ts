import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { announcementPayloads, HITS_NOTIFY_CHANNEL, parseHitAnnouncement } from '../../src/store/hit-announcer.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { PgListener } from '../../src/store/pg-listener.js';
import type { Hit } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const BATCH = 1000;

let postgres: TestPostgres;
let store: Store;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await store?.close();
  postgres?.stop();
});

test('a large batch is announced in payloads PostgreSQL accepts, each id once, in order', () => {
  const hits = Array.from({ length: BATCH }, () => ({ id: newRowId() }) as Hit);
  const payloads = announcementPayloads('origin-a', hits);
  assert.ok(payloads.length > 1, 'more than one payload');
  assert.ok(
    payloads.every((payload) => Buffer.byteLength(payload) < 8000),
    'each under 8000 bytes',
  );
  const ids = payloads.flatMap((payload) => parseHitAnnouncement(payload)!.ids);
  assert.deepEqual(
    ids,
    hits.map((hit) => hit.id),
  );
  assert.ok(payloads.every((payload) => parseHitAnnouncement(payload)!.origin === 'origin-a'));
  assert.equal(parseHitAnnouncement('not json'), undefined);
  assert.equal(parseHitAnnouncement('{"origin":1,"ids":[]}'), undefined);
});

test(`a committed batch of ${BATCH} hits reaches a listener as every hit's id, with the token's counts in the same statement`, async () => {
  const url = await postgres.newDatabase();
  store = await openStore(url);
  const tokenId = newTokenId();
  await new TokenRepository(store.db).create({ id: tokenId, kind: 'http', memo: 'announced', createdAt: isoNow() });
  // Every hit kept in full: only stored hits are announced.
  const writer = new HitWriter(store.db, { dialect: store.dialect, announceAs: 'writer-1', flood: { threshold: BATCH, sampleEvery: 1 } });

  const heard: string[] = [];
  const listener = new PgListener(url);
  let ready!: () => void;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  listener.listen(HITS_NOTIFY_CHANNEL, {
    notify(payload) {
      const announcement = parseHitAnnouncement(payload)!;
      assert.equal(announcement.origin, 'writer-1');
      heard.push(...announcement.ids);
    },
    ready,
  });
  listener.start();
  try {
    await listening;
    const written = await Promise.all(
      Array.from({ length: BATCH }, (_, i) =>
        writer.write({ tokenId, kind: 'http', at: isoNow(), source: '192.0.2.1', userAgent: `n/${i}`, detail: { type: 'none' } }),
      ),
    );
    assert.equal(writer.commits.total, 1, 'one batch');
    // NOTIFY is delivered after the commit; wait (bounded) for the last payload.
    for (let i = 0; i < 200 && heard.length < BATCH; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.deepEqual(
      heard,
      written.map((hit) => hit.id),
    );
    const stored = await store.db
      .selectFrom('hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'in', heard)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), BATCH, 'every announced hit is readable');
    const token = await store.db.selectFrom('tokens').select(['hit_count', 'hits_kept', 'last_hit_at']).where('id', '=', tokenId).executeTakeFirstOrThrow();
    assert.equal(token.hit_count, BATCH);
    assert.equal(token.hits_kept, BATCH);
    assert.equal(
      token.last_hit_at,
      written
        .map((hit) => hit.at)
        .sort()
        .at(-1),
    );
  } finally {
    await listener.stop();
  }
});
