/**
 * The two statement caches on the hot path: PreparedQuery (the query builder runs once per
 * dialect, values filled in per run) and withStatementCache (better-sqlite3 statements reused).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore } from '../../src/store/connect.js';
import { PreparedQuery, rawStatement, STATEMENT_CACHE_SIZE, withStatementCache } from '../../src/store/prepared.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { storeDialects } from '../support/dialects.js';

describe('withStatementCache', () => {
  it('hands back the statement it prepared for the same text', () => {
    const database = withStatementCache(new BetterSqlite3(':memory:'));
    const first = database.prepare('select ? + 1 as n');
    assert.equal(database.prepare('select ? + 1 as n'), first);
    assert.deepEqual(first.get(41), { n: 42 });
    assert.deepEqual(database.prepare('select ? + 1 as n').get(1), { n: 2 }, 'a reused statement takes new values');
    database.close();
  });

  it('keeps the most recently used texts, forgetting the least recently used past its size', () => {
    const database = withStatementCache(new BetterSqlite3(':memory:'));
    const kept = database.prepare('select 1 as kept');
    const dropped = database.prepare('select 1 as dropped');
    for (let i = 0; i < STATEMENT_CACHE_SIZE - 2; i++) database.prepare(`select ${i} as filler`);
    // Touched again, so it is now the most recent; one more text pushes the oldest out.
    assert.equal(database.prepare('select 1 as kept'), kept);
    database.prepare('select 1 as one_more');
    assert.equal(database.prepare('select 1 as kept'), kept);
    const again = database.prepare('select 1 as dropped');
    assert.notEqual(again, dropped);
    assert.deepEqual(again.get(), { dropped: 1 }, 'a statement prepared again still works');
    database.close();
  });
});

for (const dialect of storeDialects()) {
  describe(`PreparedQuery on ${dialect.name}`, () => {
    it('builds once, then runs with each call’s values in the right places, constants kept', async () => {
      const store = await openStore(await dialect.newLocation());
      const tokens = new TokenRepository(store.db);
      const ids = [newTokenId(), newTokenId()];
      for (const id of ids) await tokens.create({ id, kind: 'http', memo: `memo ${id}`, createdAt: isoNow() });
      let builds = 0;
      // Parameters used out of declaration order, beside a constant the builder put in itself.
      const rename = new PreparedQuery((db, p: { memo: string; id: string }) => {
        builds += 1;
        return db.updateTable('tokens').set({ memo: p.memo, enabled: 1 }).where('id', '=', p.id).where('kind', '=', 'http');
      });
      await rename.execute(store.db, { id: ids[0]!, memo: 'first' });
      await rename.execute(store.db, { id: ids[1]!, memo: 'second' });
      await rename.execute(store.db, { memo: 'first, again', id: ids[0]! });
      assert.equal(builds, 1);
      const rows = await store.db.selectFrom('tokens').select(['id', 'memo']).where('id', 'in', ids).execute();
      const memos = new Map(rows.map((row) => [row.id, row.memo]));
      assert.equal(memos.get(ids[0]!), 'first, again');
      assert.equal(memos.get(ids[1]!), 'second');
      await store.close();
    });
  });
}

describe('statements run directly in SQLite transactions', () => {
  it('answer as the query builder does, roll back with their transaction, and fail with SQLite’s error', async () => {
    const store = await openStore(await storeDialects()[0]!.newLocation());
    assert.equal(store.dialect, 'sqlite');
    const id = newTokenId();
    await new TokenRepository(store.db).create({ id, kind: 'http', memo: 'before', createdAt: isoNow() });
    const memoOf = new PreparedQuery((db, p: { id: string }) => db.selectFrom('tokens').select('memo').where('id', '=', p.id));
    const rename = new PreparedQuery((db, p: { id: string; memo: string }) => db.updateTable('tokens').set({ memo: p.memo }).where('id', '=', p.id));

    // Outside a transaction the builder runs it; inside, the connection does: the same results.
    const viaBuilder = await rename.execute(store.db, { id, memo: 'outside' });
    let builderRuns = 0;
    const inside = await store.db.transaction().execute(async (trx) => {
      const builderPath = trx.executeQuery.bind(trx);
      trx.executeQuery = ((...args: Parameters<typeof builderPath>) => {
        builderRuns += 1;
        return builderPath(...args);
      }) as typeof trx.executeQuery;
      const changed = await rename.execute(trx, { id, memo: 'inside' });
      return { changed, read: await memoOf.execute(trx, { id }) };
    });
    assert.equal(builderRuns, 0, 'inside the transaction the builder ran nothing');
    assert.equal(inside.changed.numAffectedRows, viaBuilder.numAffectedRows);
    assert.deepEqual(inside.read.rows, [{ memo: 'inside' }]);

    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await rename.execute(trx, { id, memo: 'rolled back' });
        throw new Error('abandon');
      }),
      /abandon/,
    );
    assert.deepEqual((await memoOf.execute(store.db, { id })).rows, [{ memo: 'inside' }]);

    await assert.rejects(
      store.db.transaction().execute((trx) => rawStatement(trx, 'select * from no_such_table')),
      (error: { code?: string; message?: string }) => error.code === 'SQLITE_ERROR' && /no such table/.test(error.message ?? ''),
    );
    await store.close();
  });
});
