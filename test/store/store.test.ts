import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore } from '../../src/store/connect.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { ApiKeyRepository } from '../../src/store/repositories/api-keys.js';
import { HitRepository } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { storeDialects } from '../support/dialects.js';

for (const dialect of storeDialects()) {
  describe(`store on ${dialect.name}`, () => {
    it('migrates an empty store and reopens it without migrating again', async () => {
      const location = await dialect.newLocation();
      const first = await openStore(location);
      assert.equal(first.dialect, dialect.name);
      await new TokenRepository(first.db).create({ id: newTokenId(), kind: 'http', memo: 'kept', createdAt: isoNow() });
      await first.close();
      const second = await openStore(location);
      const page = await new TokenRepository(second.db).list();
      assert.equal(page.items.length, 1);
      assert.equal(page.items[0]!.memo, 'kept');
      await second.close();
    });

    it('creates, lists newest first with paging, updates and deletes tokens', async () => {
      const store = await openStore(await dialect.newLocation());
      const tokens = new TokenRepository(store.db);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = newTokenId();
        ids.push(id);
        await tokens.create({ id, kind: 'http', memo: `memo ${i}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await tokens.list({ limit: 3, cursor });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, [...ids].reverse());
      assert.deepEqual(
        (await tokens.list({ search: 'MEMO 3' })).items.map((t) => t.id),
        [ids[3]],
      );
      const updated = await tokens.update(ids[0]!, { enabled: false, memo: 'changed' });
      assert.equal(updated.enabled, false);
      assert.equal(updated.memo, 'changed');
      await tokens.delete(ids[0]!);
      assert.equal(await tokens.find(ids[0]!), undefined);
      await assert.rejects(tokens.delete(ids[0]!), /not found/);
      await store.close();
    });

    it('searches for %, _ and \\ literally, not as LIKE wildcards', async () => {
      const store = await openStore(await dialect.newLocation());
      const tokens = new TokenRepository(store.db);
      const memos = ['100% done', '1000 done', 'a_b', 'axb', 'back\\slash', 'backslash'];
      const idOf = new Map<string, string>();
      for (const memo of memos) {
        const id = newTokenId();
        idOf.set(memo, id);
        await tokens.create({ id, kind: 'http', memo, createdAt: isoNow() });
      }
      const found = async (search: string) => (await tokens.list({ search })).items.map((t) => t.memo).sort();
      assert.deepEqual(await found('%'), ['100% done']);
      assert.deepEqual(await found('0% d'), ['100% done']);
      assert.deepEqual(await found('_'), ['a_b']);
      assert.deepEqual(await found('a_b'), ['a_b']);
      assert.deepEqual(await found('k\\s'), ['back\\slash']);
      assert.deepEqual(await found('done'), ['100% done', '1000 done']);
      assert.deepEqual(await found(idOf.get('axb')!.toUpperCase()), ['axb']);
      await store.close();
    });

    it('keeps every hit, commits concurrent writes in groups, and counts them on the token', async () => {
      const store = await openStore(await dialect.newLocation());
      const tokens = new TokenRepository(store.db);
      const id = newTokenId();
      await tokens.create({ id, kind: 'http', memo: 'busy', createdAt: isoNow() });
      // Flood sampling off: this is about group commit, every hit kept in full.
      const writer = new HitWriter(store.db, { flood: { threshold: 1_000_000, sampleEvery: 1 }, dialect: store.dialect });
      let transactions = 0;
      writer.addHook(async (_trx, hits) => {
        transactions += 1;
        assert.ok(hits.length >= 1);
      });
      const total = 1200;
      const written = await Promise.all(
        Array.from({ length: total }, (_, i) =>
          writer.write({ tokenId: id, kind: 'http', at: isoNow(), source: `10.0.${i >> 8}.${i & 255}`, userAgent: 'ua', detail: { type: 'none' } }),
        ),
      );
      assert.equal(new Set(written.map((h) => h.id)).size, total);
      assert.ok(transactions < total / 10, `expected group commits, got ${transactions} transactions for ${total} hits`);
      const token = await tokens.get(id);
      assert.equal(token.hitCount, total);
      const hits = new HitRepository(store.db);
      assert.equal(await hits.countForToken(id), total);
      const pageIds: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await hits.listForToken(id, { limit: 500, cursor });
        pageIds.push(...page.items.map((h) => h.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(pageIds.length, total, 'history is complete, never trimmed');
      assert.equal(new Set(pageIds).size, total);
      await store.close();
    });

    it('authenticates keys by hash and never stores them in clear', async () => {
      const store = await openStore(await dialect.newLocation());
      const keys = new ApiKeyRepository(store.db);
      const { key } = await keys.create('ops', 'admin');
      const found = await keys.authenticate(key);
      assert.equal(found.ok && found.key.role, 'admin');
      assert.deepEqual(await keys.authenticate(`${key}x`), { ok: false, reason: 'unknown' });
      const rows = await store.db.selectFrom('api_keys').selectAll().execute();
      assert.ok(rows.every((r) => !JSON.stringify(r).includes(key)));
      await store.close();
    });
  });
}

describe('store start-up errors', () => {
  it('names an unreachable PostgreSQL without its password', async () => {
    await assert.rejects(openStore('postgres://user:s3cret@127.0.0.1:1/db'), (error: Error) => {
      assert.match(error.message, /cannot reach PostgreSQL at postgres:\/\/user:\*\*\*@127\.0\.0\.1:1\/db/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });

  it('creates the SQLite file, its -wal and -shm files 0600 and its new directories 0700, and tightens an older file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-modes-'));
    const file = join(dir, 'data', 'deeper', 'tripline.db');
    const store = await openStore(file);
    try {
      await new TokenRepository(store.db).create({ id: newTokenId(), kind: 'http', memo: 'makes the WAL', createdAt: isoNow() });
      const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
      assert.equal(mode(join(dir, 'data')), '700');
      assert.equal(mode(join(dir, 'data', 'deeper')), '700');
      for (const path of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(path), '600', path);
    } finally {
      await store.close();
    }
    chmodSync(file, 0o644);
    await (await openStore(file)).close();
    assert.equal((statSync(file).mode & 0o777).toString(8), '600');
    rmSync(dir, { recursive: true, force: true });
  });

  it('names a SQLite path that cannot be created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-bad-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    await assert.rejects(openStore(join(file, 'x.db')), (error: Error) => {
      assert.ok(error.message.startsWith(`cannot open the SQLite store at ${join(file, 'x.db')}:`), error.message);
      return true;
    });
    rmSync(dir, { recursive: true, force: true });
  });
});
