import type { Kysely } from 'kysely';

/** Alert channels, the channels each token names, alerts, and the delivery outbox. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('channels')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('token_channels')
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('token_channels_pk', ['token_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('token_channels_channel').on('token_channels').column('channel_id').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('token_kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('token_memo', 'text', (c) => c.notNull())
    .addColumn('group_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('first_hit_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('first_hit_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_hit_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('hit_count', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'varchar(32)', (c) => c.notNull())
    .addColumn('window_end', 'varchar(32)', (c) => c.notNull())
    .addColumn('digest_scheduled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closed_at', 'varchar(32)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  // No unique key on (key, window start): the decision holds the token's row lock, which already
  // serialises it, and a constraint failure would take the hit's own transaction down with it.
  await db.schema.createIndex('alerts_open').on('alerts').columns(['token_id', 'group_key', 'window_end']).execute();
  await db.schema.createIndex('alerts_created').on('alerts').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('alerts_token_created').on('alerts').columns(['token_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('alert_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('channel_kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('give_up_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('claim_id', 'varchar(32)')
    .addColumn('claimed_by', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('delivered_at', 'varchar(32)')
    // One first-hit message and one digest per channel per alert, whatever races happen.
    .addUniqueConstraint('deliveries_once', ['alert_id', 'channel_id', 'purpose'])
    .execute();
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('deliveries_created').on('deliveries').columns(['created_at', 'id']).execute();
}
