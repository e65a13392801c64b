import type { Kysely } from 'kysely';

/**
 * Noise rules, token severity and tags, channel filters and source enrichment. Hits gain the rule
 * that muted them and what the server's databases said about their source; both are copied onto
 * the hit when it is recorded, so later rule or database changes never rewrite history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('noise_rules')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    // Null: the rule applies to every token.
    .addColumn('token_id', 'varchar(64)')
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('noise_rules_token').on('noise_rules').column('token_id').execute();

  await db.schema
    .alterTable('tokens')
    .addColumn('severity', 'varchar(16)', (c) => c.notNull().defaultTo('high'))
    .execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  // The tags again, one row each, so the Activity view can filter hits by tag with an index.
  await db.schema
    .createTable('token_tags')
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('tag', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('token_tags_pk', ['token_id', 'tag'])
    .execute();
  await db.schema.createIndex('token_tags_tag').on('token_tags').columns(['tag', 'token_id']).execute();

  await db.schema
    .alterTable('channels')
    .addColumn('filters', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();

  await db.schema.alterTable('hits').addColumn('muted_by', 'text').execute();
  await db.schema.alterTable('hits').addColumn('enrichment', 'text').execute();
  await db.schema.alterTable('hits').addColumn('country', 'varchar(2)').execute();
  // `tripline hit explain` finds the alert a hit opened.
  await db.schema.createIndex('alerts_first_hit').on('alerts').column('first_hit_id').execute();
  // Every token's hits newest first: the Activity view.
  await db.schema.createIndex('hits_at').on('hits').columns(['at', 'id']).execute();
}
