import { sql, type Kysely } from 'kysely';

/**
 * Exact hit counts that survive sampling and retention: per token and minute, the bookkeeping per
 * source that sampling decides by, the number of hits a token keeps in full, and the grouping keys
 * folded into a token's digest alert once its distinct alerts reach the cap.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('hit_counts')
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    // The hit's time cut to the minute: "2030-01-01T00:00".
    .addColumn('minute', 'varchar(16)', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('kept', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sources', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('hit_counts_pk', ['token_id', 'minute'])
    .execute();
  await db.schema
    .createTable('hit_source_counts')
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('minute', 'varchar(16)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('hit_source_counts_pk', ['token_id', 'minute', 'source'])
    .execute();
  await db.schema.createIndex('hit_source_counts_minute').on('hit_source_counts').column('minute').execute();

  await db.schema
    .alterTable('tokens')
    .addColumn('hits_kept', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('alerts')
    .addColumn('folded_keys', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('alert_folded_keys')
    .addColumn('alert_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('group_key', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_folded_keys_pk', ['alert_id', 'group_key'])
    .execute();

  // Every hit stored so far was kept in full: the counts start from them.
  await sql`update tokens set hits_kept = (select count(*) from hits where hits.token_id = tokens.id)`.execute(db);
  await sql`insert into hit_counts (token_id, minute, hits, kept)
            select token_id, substr(at, 1, 16), count(*), count(*) from hits group by token_id, substr(at, 1, 16)`.execute(db);
}
