/**
 * Migration 014 on a store with tokens, channels and hits: tokens get the default severity and no
 * tags, channels no filters, and old hits read as neither muted nor enriched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { openStore } from '../../src/store/connect.js';
import { migrations } from '../../src/store/migrations/index.js';
import { ChannelRepository } from '../../src/store/repositories/channels.js';
import { HitRepository } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { rawConnection, storeDialects } from '../support/dialects.js';

const TOKEN = 'tttttttttttttttttttttttttt';

for (const dialect of storeDialects()) {
  describe(`migration 014 on ${dialect.name}`, () => {
    it('keeps tokens, channels and hits readable, with the defaults', async () => {
      const location = await dialect.newLocation();
      const old = rawConnection(location);
      const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '014'));
      const { error } = await new Migrator({ db: old, provider: { getMigrations: async () => earlier } }).migrateToLatest();
      if (error) throw error;
      // Raw SQL: the column lists of that time, not of today's schema types.
      await sql`insert into tokens (id, kind, memo, enabled, redirect, config, alert_window_s, hit_count, hits_kept, last_hit_at, created_at)
                values (${TOKEN}, 'http', 'old', 1, null, '{}', null, 1, 1, null, '2026-01-01T00:00:00.000Z')`.execute(old);
      await sql`insert into channels (id, name, kind, is_default, config, created_at)
                values ('01kaaaaaaaaaaaaaaaaaaaaaaa', 'old', 'webhook', 1, '{"url":"https://example.com/hook"}', '2026-01-01T00:00:00.000Z')`.execute(old);
      await sql`insert into hits (id, token_id, kind, at, source, user_agent, detail, agent_id, received_at)
                values ('01kccccccccccccccccccccccc', ${TOKEN}, 'http', '2026-01-01T00:00:01.000Z', '203.0.113.1', 'curl/8', '{"type":"none"}', null, null)`.execute(
        old,
      );
      await old.destroy();

      const store = await openStore(location);
      try {
        const token = await new TokenRepository(store.db).get(TOKEN);
        assert.equal(token.severity, 'high');
        assert.deepEqual(token.tags, []);
        const facts = await new TokenRepository(store.db).lockForAlerting([TOKEN]);
        assert.deepEqual(facts.get(TOKEN), { id: TOKEN, kind: 'http', memo: 'old', alertWindowSeconds: null, severity: 'high', tags: [] });
        assert.deepEqual((await new ChannelRepository(store.db).get('01kaaaaaaaaaaaaaaaaaaaaaaa')).filters, {});
        const hits = new HitRepository(store.db);
        const hit = await hits.get('01kccccccccccccccccccccccc');
        assert.equal(hit.mutedBy, null);
        assert.equal(hit.enrichment, null);
        assert.deepEqual(
          (await hits.list({ muted: false })).items.map((h) => h.id),
          ['01kccccccccccccccccccccccc'],
        );
        assert.deepEqual((await hits.list({ muted: true })).items, []);
      } finally {
        await store.close();
      }
    });
  });
}
