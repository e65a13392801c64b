import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pino from 'pino';
import { newSecret } from '../../src/core/ids.js';
import { ensureAdminKey } from '../../src/server/admin-key.js';
import { openStore } from '../../src/store/connect.js';
import { migrations } from '../../src/store/migrations/index.js';
import { ApiKeyRepository, keyPrefix } from '../../src/store/repositories/api-keys.js';
import { storeDialects } from '../support/dialects.js';

const silent = pino({ level: 'silent' });

describe('key prefixes', () => {
  it('show the role label and two random characters of a generated key, four characters of any other', () => {
    assert.equal(keyPrefix('tpl_admin_AbCdEfGh'), 'tpl_admin_Ab');
    assert.equal(keyPrefix('tpl_viewer_xyz123'), 'tpl_viewer_xy');
    assert.equal(keyPrefix('correct horse battery staple 12345'), 'corr');
    assert.equal(keyPrefix('a\u0000\u202eb'), 'a??b');
    assert.equal(keyPrefix(`tpl_${'a'.repeat(500)}_x`), 'tpl_');
  });
});

describe('migration 004_keys', () => {
  it('marks the key an earlier TRIPLINE_ADMIN_KEY registered, so the next new value revokes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-migrate-'));
    const file = join(dir, 'tripline.db');
    const legacyKey = newSecret('tpl_test');
    try {
      // A store as the release before keys had origins left it, with its env key and an API key.
      const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '004'));
      const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
      const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => before } }).migrateToLatest();
      assert.equal(error, undefined);
      const hash = (key: string) => createHash('sha256').update(key).digest('hex');
      await old
        .insertInto('api_keys')
        .values([
          {
            id: '01aaaaaaaaaaaaaaaaaaaaaaaa',
            name: 'admin (TRIPLINE_ADMIN_KEY)',
            role: 'admin',
            key_hash: hash(legacyKey),
            created_at: '2025-01-01T00:00:00.000Z',
            last_used_at: null,
          },
          {
            id: '01bbbbbbbbbbbbbbbbbbbbbbbb',
            name: 'ops',
            role: 'admin',
            key_hash: hash('tpl_admin_ops'),
            created_at: '2025-01-01T00:00:00.000Z',
            last_used_at: null,
          },
        ])
        .execute();
      await old.destroy();

      const store = await openStore(file);
      try {
        const keys = new ApiKeyRepository(store.db);
        assert.deepEqual(
          (await keys.list()).map((k) => [k.name, k.origin, k.prefix, k.revokedAt]),
          [
            ['admin (TRIPLINE_ADMIN_KEY)', 'env', null, null],
            ['ops', 'api', null, null],
          ],
        );
        await ensureAdminKey(keys, silent, newSecret('tpl_test'), () => undefined);
        assert.deepEqual(await keys.authenticate(legacyKey), { ok: false, reason: 'revoked' });
        assert.ok((await keys.authenticate('tpl_admin_ops')).ok);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const dialect of storeDialects()) {
  describe(`API keys on ${dialect.name}`, () => {
    it('creates keys of each role with a display prefix, and refuses revoked ones', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const keys = new ApiKeyRepository(store.db);
        const admin = await keys.create('ops', 'admin');
        const viewer = await keys.create('auditor', 'viewer');
        assert.match(viewer.key, /^tpl_viewer_[A-Za-z0-9_-]{43}$/);
        assert.equal(viewer.record.prefix, viewer.key.slice(0, 'tpl_viewer_'.length + 2));
        assert.equal(viewer.record.origin, 'api');
        assert.equal(viewer.record.revokedAt, null);

        const revoked = await keys.revoke(viewer.record.id);
        assert.ok(revoked.revokedAt);
        assert.deepEqual(await keys.authenticate(viewer.key), { ok: false, reason: 'revoked' });
        assert.equal((await keys.revoke(viewer.record.id)).revokedAt, revoked.revokedAt, 'revoking again changes nothing');
        const listed = await keys.list();
        assert.deepEqual(
          listed.map((k) => [k.name, k.role, k.revokedAt !== null]),
          [
            ['ops', 'admin', false],
            ['auditor', 'viewer', true],
          ],
        );
        assert.ok((await keys.authenticate(admin.key)).ok);
      } finally {
        await store.close();
      }
    });

    it('refuses to revoke the last admin key in force', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const keys = new ApiKeyRepository(store.db);
        const first = await keys.create('first', 'admin');
        await assert.rejects(keys.revoke(first.record.id), { code: 'conflict', status: 409 });
        const second = await keys.create('second', 'admin');
        await keys.revoke(first.record.id);
        await assert.rejects(keys.revoke(second.record.id), { code: 'conflict' });
        await assert.rejects(keys.revoke('0'.repeat(26)), { code: 'not_found' });
      } finally {
        await store.close();
      }
    });

    it('stores last-used times in a batch and never moves them back', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const keys = new ApiKeyRepository(store.db);
        const a = await keys.create('a', 'agent');
        const b = await keys.create('b', 'viewer');
        await keys.recordUse(
          new Map([
            [a.record.id, '2030-01-01T00:00:02.000Z'],
            [b.record.id, '2030-01-01T00:00:01.000Z'],
          ]),
        );
        await keys.recordUse([[a.record.id, '2030-01-01T00:00:00.000Z']]);
        assert.equal((await keys.find(a.record.id))?.lastUsedAt, '2030-01-01T00:00:02.000Z');
        assert.equal((await keys.find(b.record.id))?.lastUsedAt, '2030-01-01T00:00:01.000Z');
      } finally {
        await store.close();
      }
    });

    it('TRIPLINE_ADMIN_KEY registered by two replicas starting at once: one row, no error', async () => {
      const location = await dialect.newLocation();
      const stores = [await openStore(location), await openStore(location)];
      try {
        const key = newSecret('tpl_test');
        const print = () => assert.fail('nothing is generated when a key is configured');
        await Promise.all(stores.map((store) => ensureAdminKey(new ApiKeyRepository(store.db), silent, key, print)));
        const keys = new ApiKeyRepository(stores[0]!.db);
        assert.equal((await keys.list()).length, 1);
        assert.ok((await keys.authenticate(key)).ok);
      } finally {
        for (const store of stores) await store.close();
      }
    });

    it('TRIPLINE_ADMIN_KEY: too short is refused, a new value revokes the old one, a revoked one never comes back', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const keys = new ApiKeyRepository(store.db);
        const print = () => assert.fail('nothing is generated when a key is configured');
        await assert.rejects(ensureAdminKey(keys, silent, 'x'.repeat(31), print), /at least 32/);
        assert.equal((await keys.list()).length, 0);

        const first = newSecret('tpl_test');
        await ensureAdminKey(keys, silent, first, print);
        await ensureAdminKey(keys, silent, first, print);
        assert.equal((await keys.list()).length, 1, 'the same value registers once');
        const keep = await keys.create('other admin', 'admin');

        const second = newSecret('tpl_test');
        await ensureAdminKey(keys, silent, second, print);
        assert.deepEqual(await keys.authenticate(first), { ok: false, reason: 'revoked' });
        assert.ok((await keys.authenticate(second)).ok);
        assert.ok((await keys.authenticate(keep.key)).ok, 'keys made through the API are not touched');
        await assert.rejects(ensureAdminKey(keys, silent, first, print), /revoked/);

        // Without the variable, the key it last set stays in force.
        await ensureAdminKey(keys, silent, undefined, print);
        assert.ok((await keys.authenticate(second)).ok);

        // A key made elsewhere and then put into the variable is replaced like any other value.
        await ensureAdminKey(keys, silent, keep.key, print);
        assert.deepEqual(await keys.authenticate(second), { ok: false, reason: 'revoked' });
        await ensureAdminKey(keys, silent, newSecret('tpl_test'), print);
        assert.deepEqual(await keys.authenticate(keep.key), { ok: false, reason: 'revoked' });
      } finally {
        await store.close();
      }
    });
  });
}
