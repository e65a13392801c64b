import type { Kysely } from 'kysely';

/**
 * The copies of container decoys an agent planted (node, pod, container, path, inode, state), as
 * its last heartbeat reported them: JSON, like the watched files beside it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('container_decoys', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
