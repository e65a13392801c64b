import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StoreError } from '../../src/core/errors.js';
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { bulkLoadHits } from '../../src/store/bulk-load.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { HitRepository } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { SqliteReadPool } from '../../src/store/sqlite-read-pool.js';

const START = Date.parse('2030-01-01T00:00:00.000Z');

/** Seconds of work for SQLite, so a query is surely still running when its thread is stopped. */
const SLOW_QUERY = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 300000000) select count(*) as c from n';

describe('SQLite read threads', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let tokenId: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tripline-read-pool-'));
    file = join(dir, 'tripline.db');
    store = await openStore(file);
    const tokens = new TokenRepository(store.db);
    for (let i = 0; i < 30; i++) {
      await tokens.create({ id: newTokenId(), kind: i % 2 ? 'http' : 'dns', memo: `server ${i} 50%_off`, createdAt: new Date(START + i * 1000).toISOString() });
    }
    tokenId = (await tokens.create({ id: newTokenId(), kind: 'http', memo: 'busy', createdAt: new Date(START).toISOString() })).id;
    const hits = Array.from({ length: 2000 }, (_, i) => ({
      id: newRowId(START + i),
      tokenId,
      kind: 'http',
      // Some share a time, so the page order falls back to the id.
      at: new Date(START + Math.floor(i / 3) * 60_000).toISOString(),
      source: `203.0.113.${i % 50}`,
      userAgent: i % 4 ? 'agent/1' : null,
      detail: { type: 'http' as const, method: 'GET', path: `/x/${i}`, query: `n=${i}`, headers: {} },
    }));
    await bulkLoadHits(store.db, hits);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a deep hits page and a token search answer exactly as on the server thread', async () => {
    const onThread = new HitRepository(store.db);
    const offThread = new HitRepository(store.reader);
    let cursor: string | null = null;
    for (let page = 0; page < 12; page++) {
      const expected = await onThread.listForToken(tokenId, { limit: 97, cursor });
      assert.deepEqual(await offThread.listForToken(tokenId, { limit: 97, cursor }), expected, `page ${page}`);
      cursor = expected.nextCursor;
    }
    assert.ok(cursor, 'the pages compared were deep ones, with more after them');
    const search = { search: '50%_', kind: 'http', limit: 7 };
    const expected = await new TokenRepository(store.db).list(search);
    assert.equal(expected.items.length, 7);
    assert.deepEqual(await new TokenRepository(store.db, store.reader).list(search), expected);
    assert.deepEqual(await offThread.countForToken(tokenId), 2000);
  });

  test('a read thread sees what the server committed before the read began', async () => {
    const id = newTokenId();
    await new TokenRepository(store.db).create({ id, kind: 'http', memo: 'just made', createdAt: new Date().toISOString() });
    const page = await new TokenRepository(store.db, store.reader).list({ search: 'just made' });
    assert.deepEqual(
      page.items.map((t) => t.id),
      [id],
    );
  });

  test('read threads refuse to write', async () => {
    const before = (await new TokenRepository(store.db).list({ limit: 500 })).items.length;
    await assert.rejects(store.reader.deleteFrom('tokens').execute(), (error: Error) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /readonly/);
      return true;
    });
    assert.equal((await new TokenRepository(store.db).list({ limit: 500 })).items.length, before, 'nothing was deleted');
  });

  test('a thread that dies fails the queries it held and is replaced', async () => {
    const pool = new SqliteReadPool(file, 1);
    try {
      const first = pool.workers[0]!;
      assert.deepEqual(await pool.query('select count(*) as c from hits', []), [{ c: 2000 }]);
      const slow = pool.query(SLOW_QUERY, []);
      const exited = once(first, 'exit');
      await first.terminate();
      await exited;
      await assert.rejects(slow, (error: Error) => error instanceof StoreError && /read thread lost/.test(error.message));
      assert.notEqual(pool.workers[0], first, 'a new thread took its place');
      assert.equal(pool.workers.length, 1);
      assert.deepEqual(await pool.query('select count(*) as c from hits', []), [{ c: 2000 }]);
    } finally {
      await pool.close();
    }
  });

  test('a closed pool refuses queries with a clear error', async () => {
    const pool = new SqliteReadPool(file, 1);
    await pool.close();
    await assert.rejects(pool.query('select 1', []), /the store is closed/);
  });
});
