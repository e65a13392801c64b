import { sql, type Kysely } from 'kysely';

/**
 * Hits per token and hour, written in the hits' own transaction: a chart of a token's history
 * reads one row an hour (or sums them per day) instead of one row a minute, so a month of a busy
 * token costs hundreds of rows, not tens of thousands.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('hit_hours')
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    // The hits' time cut to the hour: "2030-01-01T00".
    .addColumn('hour', 'varchar(13)', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('hit_hours_pk', ['token_id', 'hour'])
    .execute();
  // The per-minute counts are exact for every hit so far, sampled and expired ones included.
  await sql`insert into hit_hours (token_id, hour, hits)
            select token_id, substr(minute, 1, 13), sum(hits) from hit_counts group by token_id, substr(minute, 1, 13)`.execute(db);
}
