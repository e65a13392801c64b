import { sql, type Kysely } from 'kysely';

/**
 * What makes an agent's report attributable and bounded: each hit names the agent that sent it
 * and when the server received it (an agent's event carries its own clock's time), and each agent
 * has a node name fixed at enrolment, so its key cannot speak for another host.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('hits').addColumn('agent_id', 'varchar(32)').execute();
  await db.schema.alterTable('hits').addColumn('received_at', 'varchar(32)').execute();
  await db.schema
    .alterTable('agents')
    .addColumn('enrolled_node', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  // Agents enrolled before: pinned to the node they last reported, else to their name, which
  // is what enrolment pins it to from now on unless told otherwise.
  await sql`update agents set enrolled_node = coalesce(node, name)`.execute(db);
}
