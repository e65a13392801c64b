/**
 * Migration 005 on a store that already has agents: each is pinned to the node it last reported,
 * or to its name when it never reported, so upgrading does not lock out an agent already running.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openStore } from '../../src/store/connect.js';
import { migrations } from '../../src/store/migrations/index.js';
import { AgentRepository } from '../../src/store/repositories/agents.js';
import { HitRepository } from '../../src/store/repositories/hits.js';
import type { Database } from '../../src/store/schema.js';
import { rawConnection, storeDialects } from '../support/dialects.js';

/** The store as a server before 005 left it. */
async function migrateBefore005(db: Kysely<Database>): Promise<void> {
  const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '005'));
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => earlier } }).migrateToLatest();
  if (error) throw error;
}

const agentRow = (id: string, name: string, node: string | null) => ({
  id,
  name,
  node,
  version: null,
  started_at: null,
  last_seen_at: null,
  last_heartbeat_at: null,
  policies: '[]',
  watched: '[]',
  events_accepted: 0,
  created_at: '2026-01-01T00:00:00.000Z',
});

for (const dialect of storeDialects()) {
  describe(`migration 005 on ${dialect.name}`, () => {
    it('pins existing agents to their reported node, else their name, and keeps old hits readable', async () => {
      const location = await dialect.newLocation();
      const old = rawConnection(location);
      await migrateBefore005(old);
      const reported = '01kaaaaaaaaaaaaaaaaaaaaaaa';
      const silent = '01kbbbbbbbbbbbbbbbbbbbbbbb';
      await old
        .insertInto('agents')
        .values([agentRow(reported, 'db', 'db-01.prod'), agentRow(silent, 'web-02', null)] as never)
        .execute();
      await old
        .insertInto('tokens')
        .values({
          id: 'tttttttttttttttttttttttttt',
          kind: 'file',
          memo: 'm',
          enabled: 1,
          redirect: null,
          config: '{}',
          alert_window_s: null,
          hit_count: 1,
          last_hit_at: null,
          created_at: '2026-01-01T00:00:00.000Z',
        } as never)
        .execute();
      await old
        .insertInto('hits')
        .values({
          id: '01kccccccccccccccccccccccc',
          token_id: 'tttttttttttttttttttttttttt',
          kind: 'file',
          at: '2026-01-01T00:00:01.000Z',
          source: 'db-01.prod',
          user_agent: null,
          detail: '{}',
        } as never)
        .execute();
      await old.destroy();

      const store = await openStore(location);
      try {
        const agents = new AgentRepository(store.db);
        assert.equal((await agents.find(reported))!.enrolledNode, 'db-01.prod');
        assert.equal((await agents.find(silent))!.enrolledNode, 'web-02');
        const hit = await new HitRepository(store.db).find('01kccccccccccccccccccccccc');
        assert.equal(hit!.agentId, null);
        assert.equal(hit!.receivedAt, null);
      } finally {
        await store.close();
      }
    });
  });
}
