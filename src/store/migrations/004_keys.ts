import { sql, type Kysely } from 'kysely';

/** The name the TRIPLINE_ADMIN_KEY row was registered under before keys had an origin. */
const LEGACY_ENV_KEY_NAME = 'admin (TRIPLINE_ADMIN_KEY)';

/**
 * Keys get a display prefix, a revocation time and an origin. Revoked keys stay as rows so the
 * list still says who had access and until when. The origin marks the key registered from
 * TRIPLINE_ADMIN_KEY, which a start with a different value revokes; matching it by name would let
 * any key someone chose to call that be revoked instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Keys made before this migration were stored only as hashes: their prefix is unknown (null).
  await db.schema.alterTable('api_keys').addColumn('prefix', 'varchar(24)').execute();
  await db.schema.alterTable('api_keys').addColumn('revoked_at', 'varchar(32)').execute();
  await db.schema
    .alterTable('api_keys')
    .addColumn('origin', 'varchar(16)', (c) => c.notNull().defaultTo('api'))
    .execute();
  await sql`update api_keys set origin = 'env' where name = ${LEGACY_ENV_KEY_NAME} and role = 'admin'`.execute(db);
  await db.schema.createIndex('api_keys_created').on('api_keys').columns(['created_at', 'id']).execute();
}
