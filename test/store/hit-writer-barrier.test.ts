import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore } from '../../src/store/connect.js';
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

    it('fails when the commit it waits for fails, as a hit would', async () => {
      const store = await openStore(await dialect.newLocation());
      const writer = new HitWriter(store.db, { durableCommit: store.durableCommit, dialect: store.dialect });
      await store.close();
      await assert.rejects(writer.barrier());
      await assert.rejects(writer.write({ tokenId: newTokenId(), kind: 'http', at: isoNow(), source: '192.0.2.1', userAgent: null, detail: { type: 'none' } }));
    });
  });
}
