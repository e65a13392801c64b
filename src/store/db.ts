import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { rawStatement } from './prepared.js';
import type { Database } from './schema.js';

/** Savepoints nest by shadowing: a name reused inside another of the same name is undone alone. */
const SAVEPOINT = 'tripline_work';

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

/**
 * Runs work inside a savepoint of an open transaction: if it throws, only its own writes are
 * undone, the transaction goes on, and the error is rethrown to the caller.
 */
export async function underSavepoint<T>(trx: Trx, work: () => Promise<T>): Promise<T> {
  await rawStatement(trx, `savepoint ${SAVEPOINT}`);
  try {
    const result = await work();
    await rawStatement(trx, `release savepoint ${SAVEPOINT}`);
    return result;
  } catch (error) {
    await rawStatement(trx, `rollback to savepoint ${SAVEPOINT}`);
    throw error;
  }
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
