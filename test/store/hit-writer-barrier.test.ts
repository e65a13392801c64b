import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore } from '../../src/store/connect.js';
import type { DurableCommit } from '../../src/store/durable-commit.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { storeDialects } from '../support/dialects.js';

async function countHits(db: Awaited<ReturnType<typeof openStore>>['db']): Promise<number> {
  const row = await db
    .selectFrom('hits')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const dialect of storeDialects()) {
  describe(`hit writer barrier on ${dialect.name}`, () => {
    it('with no hit to share, runs a commit of its own that leaves no row behind', async () => {
      const store = await openStore(await dialect.newLocation());
      const writer = new HitWriter(store.db, { durableCommit: store.durableCommit, dialect: store.dialect });
      await writer.barrier();
      await writer.barrier();
      assert.deepEqual(writer.commits, { total: 2, standIns: 2, barriers: 2 });
      assert.equal(await countHits(store.db), 0);
      await store.close();
    });

    it('joins the commit of hits written in the same turn, and is released with them', async () => {
      const store = await openStore(await dialect.newLocation());
      const id = newTokenId();
      await new TokenRepository(store.db).create({ id, kind: 'http', memo: 'shared commit', createdAt: isoNow() });
      const writer = new HitWriter(store.db, { durableCommit: store.durableCommit, dialect: store.dialect });
      const order: string[] = [];
      const hit = writer
        .write({ tokenId: id, kind: 'http', at: isoNow(), source: '192.0.2.1', userAgent: null, detail: { type: 'none' } })
        .then(() => order.push('hit'));
      const barriers = [writer.barrier(), writer.barrier()].map((barrier) => barrier.then(() => order.push('barrier')));
      await Promise.all([hit, ...barriers]);
      assert.deepEqual(order, ['hit', 'barrier', 'barrier']);
      assert.deepEqual(writer.commits, { total: 1, standIns: 0, barriers: 2 });
      assert.equal(await countHits(store.db), 1);
      await store.close();
    });

    it('holds its waiters as long as lone hits lately took to become durable, without holding hits back', async () => {
      const store = await openStore(await dialect.newLocation());
      const id = newTokenId();
      await new TokenRepository(store.db).create({ id, kind: 'http', memo: 'slow first hits', createdAt: isoNow() });
      // Hits whose commits reach the disk slowly, as a token's first hit (a new alert, new
      // counting rows) takes longer than a stand-in that writes one row and deletes it.
      let syncDelayMs = 60;
      const durableCommit: DurableCommit = async (work) => {
        const result = await store.durableCommit(work);
        if (syncDelayMs > 0) await sleep(syncDelayMs);
        return result;
      };
      const writer = new HitWriter(store.db, { durableCommit, dialect: store.dialect });
      const hit = () => writer.write({ tokenId: id, kind: 'http', at: isoNow(), source: '192.0.2.1', userAgent: null, detail: { type: 'none' } });
      for (let i = 0; i < 5; i++) await hit();
      syncDelayMs = 0;

      const started = performance.now();
      const order: string[] = [];
      const barrier = writer.barrier().then(() => order.push('barrier'));
      await sleep(10);
      await hit().then(() => order.push('hit'));
      await barrier;
      const waited = performance.now() - started;
      assert.ok(waited >= 50, `the barrier was released after ${waited.toFixed(1)} ms, sooner than lone hits became durable`);
      assert.ok(waited < 1000, `the barrier was held ${waited.toFixed(1)} ms`);
      assert.deepEqual(order, ['hit', 'barrier'], 'a hit written while a stand-in was held committed without waiting for it');
      assert.equal(writer.commits.standIns, 1);
      await store.close();
    });

    it('fails when the commit it waits for fails, as a hit would', async () => {
      const store = await openStore(await dialect.newLocation());
      const writer = new HitWriter(store.db, { durableCommit: store.durableCommit, dialect: store.dialect });
      await store.close();
      await assert.rejects(writer.barrier());
      await assert.rejects(writer.write({ tokenId: newTokenId(), kind: 'http', at: isoNow(), source: '192.0.2.1', userAgent: null, detail: { type: 'none' } }));
    });
  });
}
