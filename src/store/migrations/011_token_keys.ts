import type { Kysely } from 'kysely';

/**
 * The listeners' own long-lived keys (the SSH host key, the WireGuard static key): artifacts name
 * their public halves, so every server sharing the store must present the same ones, across
 * restarts. And keys that name a token to a listener that never sees its id: an SSH client offers only a public
 * key, a WireGuard handshake carries only the client's static key. One row per key, found by the
 * key itself; the token's own config keeps the full artifact.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('token_keys')
    // "<scheme>:<key>", e.g. "ssh:SHA256:..." or "wireguard:<base64 public key>".
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('listener_keys')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('token_keys_token').on('token_keys').column('token_id').execute();
}
