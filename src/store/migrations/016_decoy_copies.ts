import { sql, type Kysely } from 'kysely';

/**
 * The decoy inventory takes container decoy copies too. One decoy path is planted into many
 * containers of a node, so a row is keyed by agent, container and path; `container` is '' for a
 * decoy on the host (a key column cannot be null in PostgreSQL). A copy also names its pod
 * ("namespace/name"), its container's name and the ContainerDecoy it is a copy of. Neither store
 * can change a primary key in place, so the table is rebuilt and its rows carried over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_decoys_next')
    .addColumn('agent_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('container', 'varchar(256)', (c) => c.notNull().defaultTo(''))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('token_id', 'varchar(64)')
    .addColumn('inode', 'varchar(32)')
    .addColumn('pod', 'text')
    .addColumn('container_name', 'text')
    .addColumn('decoy', 'text')
    // 'watched', 'missing', 'withdrawn', or 'unplanted' (a copy the agent could not plant).
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('first_seen_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_verified_at', 'varchar(32)')
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_decoys_copy_pk', ['agent_id', 'container', 'path'])
    .execute();
  await sql`INSERT INTO agent_decoys_next (agent_id, container, path, token_id, inode, state, error, first_seen_at, last_verified_at, updated_at)
    SELECT agent_id, COALESCE(container, ''), path, token_id, inode, state, error, first_seen_at, last_verified_at, updated_at FROM agent_decoys`.execute(db);
  await db.schema.dropTable('agent_decoys').execute();
  await db.schema.alterTable('agent_decoys_next').renameTo('agent_decoys').execute();
  await db.schema.createIndex('agent_decoys_token').on('agent_decoys').column('token_id').execute();
}
