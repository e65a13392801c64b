import {
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import { StoreError } from '../core/errors.js';
import type { Database } from './schema.js';
import type { SqliteReadPool } from './sqlite-read-pool.js';

/** Runs each query on one of the pool's threads; there is no transaction on a read connection. */
class ReadPoolConnection implements DatabaseConnection {
  constructor(private readonly pool: SqliteReadPool) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return { rows: (await this.pool.query(query.sql, query.parameters)) as R[] };
  }

  // biome-ignore lint/correctness/useYield: Kysely's interface wants a generator; this one refuses before its first value.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new StoreError('read connections do not stream', {});
  }
}

class ReadPoolDriver implements Driver {
  private readonly connection: ReadPoolConnection;

  constructor(pool: SqliteReadPool) {
    this.connection = new ReadPoolConnection(pool);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.connection;
  }

  async beginTransaction(): Promise<void> {
    throw new StoreError('read connections run no transactions: write through the store', {});
  }

  async commitTransaction(): Promise<void> {}

  async rollbackTransaction(): Promise<void> {}

  async releaseConnection(): Promise<void> {}

  /** The pool is the store's to close: the query builder skips this when it never ran a query. */
  async destroy(): Promise<void> {}
}

/**
 * The query builder over a pool of read threads: repositories read through it exactly as through
 * the store's own connection, and their queries never run on the server's thread.
 */
export function readPoolDatabase(pool: SqliteReadPool): Kysely<Database> {
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ReadPoolDriver(pool),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
  return new Kysely<Database>({ dialect });
}
