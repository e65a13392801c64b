import type { Kysely } from 'kysely';

/** Enrolled host agents and what each last reported about itself. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    // The id of the agent's API key: a request's key names its agent without a second lookup.
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('node', 'text')
    .addColumn('version', 'text')
    .addColumn('started_at', 'varchar(32)')
    .addColumn('last_seen_at', 'varchar(32)')
    .addColumn('last_heartbeat_at', 'varchar(32)')
    .addColumn('policies', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('watched', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('events_accepted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_created').on('agents').columns(['created_at', 'id']).execute();
}
