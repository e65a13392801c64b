import type { Kysely } from 'kysely';

/**
 * The fleet: agents' labels and liveness (so silence is noticed once, and a return is told with
 * how long the agent was gone), policies the server hands to agents, and every decoy agents
 * reported planted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  // The agent's own heartbeat interval, as it reports it: silence is measured in these.
  await db.schema.alterTable('agents').addColumn('heartbeat_ms', 'integer').execute();
  // 'unknown' until the first heartbeat, then 'alive', 'silent' or 'stopped'.
  await db.schema
    .alterTable('agents')
    .addColumn('liveness', 'varchar(16)', (c) => c.notNull().defaultTo('unknown'))
    .execute();
  await db.schema.alterTable('agents').addColumn('liveness_at', 'varchar(32)').execute();
  await db.schema
    .alterTable('agents')
    .addColumn('stopping', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('fleet_policies')
    .addColumn('name', 'varchar(253)', (c) => c.primaryKey())
    .addColumn('document', 'text', (c) => c.notNull())
    // JSON {agents: string[], labels: {k: v}}: both empty means every agent.
    .addColumn('target', 'text', (c) => c.notNull())
    // The policy set's version when this row last changed; a deletion keeps the row (deleted = 1)
    // so agents see the version move.
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('fleet_policies_version').on('fleet_policies').column('version').unique().execute();

  await db.schema
    .createTable('agent_decoys')
    .addColumn('agent_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('token_id', 'varchar(64)')
    .addColumn('inode', 'varchar(32)')
    .addColumn('container', 'text')
    // 'watched', 'missing' (gone from the agent's report without being withdrawn), 'withdrawn'.
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('first_seen_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_verified_at', 'varchar(32)')
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_decoys_pk', ['agent_id', 'path'])
    .execute();
  await db.schema.createIndex('agent_decoys_token').on('agent_decoys').column('token_id').execute();
}
