import type { Kysely } from 'kysely';

/**
 * TLS for the trigger listener: certificates obtained by ACME and the ACME account they were
 * ordered with, kept in the store so every replica serves the same certificate; the challenge
 * answers, so whichever replica the CA reaches can answer; and a lease row, so one replica orders.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tls_certificates')
    // Names the directory and the domains the certificate was ordered for.
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('domains', 'text', (c) => c.notNull())
    .addColumn('cert_pem', 'text', (c) => c.notNull())
    .addColumn('key_pem', 'text', (c) => c.notNull())
    .addColumn('not_before', 'varchar(32)', (c) => c.notNull())
    .addColumn('not_after', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('acme_accounts')
    .addColumn('directory', 'varchar(512)', (c) => c.primaryKey())
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('key_pem', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('acme_challenges')
    // "http:<token>" or "dns:<name>"; a name can hold two TXT values (a zone and its wildcard).
    .addColumn('name', 'varchar(320)', (c) => c.notNull())
    .addColumn('value', 'varchar(512)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('acme_challenges_pk', ['name', 'value'])
    .execute();
  await db.schema
    .createTable('acme_leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}
