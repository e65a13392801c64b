/**
 * Migration 016 on a store with host decoys in the inventory: each keeps its state, inode and
 * times and reads as on the host (no container), and the next report of it carries on from there,
 * so a decoy missing before the upgrade is not told again and a watched one still can be.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openStore } from '../../src/store/connect.js';
import { migrations } from '../../src/store/migrations/index.js';
import { AgentDecoyRepository } from '../../src/store/repositories/agent-decoys.js';
import { rawConnection, storeDialects } from '../support/dialects.js';

const AGENT = '01kaaaaaaaaaaaaaaaaaaaaaaa';
const AT = '2026-01-01T00:00:00.000Z';

for (const dialect of storeDialects()) {
  describe(`migration 016 on ${dialect.name}`, () => {
    it('keeps the inventory of host decoys, which then takes container copies of the same path beside them', async () => {
      const location = await dialect.newLocation();
      const old = rawConnection(location);
      const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '016'));
      const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => earlier } }).migrateToLatest();
      if (error) throw error;
      // Raw SQL: the column list of that time, not of today's schema types.
      await sql`insert into agent_decoys (agent_id, path, token_id, inode, container, state, error, first_seen_at, last_verified_at, updated_at)
                values (${AGENT}, '/srv/a', 'tok-a', '2049:1', null, 'watched', null, ${AT}, ${AT}, ${AT}),
                       (${AGENT}, '/srv/b', 'tok-b', '2049:2', null, 'missing', 'gone', ${AT}, ${AT}, ${AT})`.execute(old);
      await old.destroy();

      const store = await openStore(location);
      try {
        const decoys = new AgentDecoyRepository(store.db);
        const before = await decoys.list({ agentId: AGENT });
        assert.deepEqual(
          before.map((d) => [d.path, d.tokenId, d.inode, d.container, d.pod, d.state, d.error, d.firstSeenAt, d.lastVerifiedAt]),
          [
            ['/srv/a', 'tok-a', '2049:1', null, null, 'watched', null, AT, AT],
            ['/srv/b', 'tok-b', '2049:2', null, null, 'missing', 'gone', AT, AT],
          ],
        );
        const copy = { id: 'c'.repeat(64), name: 'app', pod: 'shop/cart-1', decoy: 'srv-a' };
        const lost = await decoys.sync(AGENT, [
          { path: '/srv/a', tokenId: 'tok-a', ok: false, error: 'gone' },
          { path: '/srv/b', tokenId: 'tok-b', ok: false, error: 'gone' },
          { path: '/srv/a', tokenId: 'tok-a', ok: true, inode: '7', container: copy },
        ]);
        assert.deepEqual(
          lost.map((d) => d.path),
          ['/srv/a'],
          'the watched one goes missing now; the one missing before the upgrade is not told again',
        );
        const after = await decoys.list({ agentId: AGENT });
        assert.deepEqual(
          after.map((d) => [d.container, d.path, d.state]),
          [
            [null, '/srv/a', 'missing'],
            [null, '/srv/b', 'missing'],
            ['c'.repeat(64), '/srv/a', 'watched'],
          ],
        );
      } finally {
        await store.close();
      }
    });
  });
}
