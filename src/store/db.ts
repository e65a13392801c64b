import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * A handle on the database: the store's own, or an open transaction (a Transaction is a Kysely).
 * Layers above the store hold one of these only to construct repositories over it; they never
 * build a query themselves.
 */
export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

/** The dialect behind a handle, read from its adapter, so repositories need no dialect argument. */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Runs work in one plain transaction; repositories built over `trx` inside it share it. */
export function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

/** A round trip to the database, for health checks. */
export async function ping(db: Db): Promise<void> {
  await db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
}

/** The database's own clock (PostgreSQL's server; SQLite's is this host's), to measure skew against. */
export async function storeNow(db: Db): Promise<string> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
    return new Date(rows[0]!.now).toISOString();
  }
  const { rows } = await sql<{ now: string }>`select strftime('%Y-%m-%dT%H:%M:%fZ', 'now') as now`.execute(db);
  return rows[0]!.now;
}
