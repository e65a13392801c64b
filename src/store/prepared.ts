import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

const MARK = '\u0000tripline-parameter:';

type Slot<P> = { name: keyof P } | { value: unknown };

/**
 * A statement built once by the query builder and then run many times with new values.
 *
 * Building and compiling a query costs several times what SQLite takes to run it, and the hit
 * path runs the same few statements for every batch. The builder is called once per dialect with
 * marker values in place of the parameters; the compiled text is kept with the order in which
 * the markers appear, and each later run only fills the values in.
 */
export class PreparedQuery<P extends Record<string, unknown>, R = unknown> {
  private readonly compiled = new Map<unknown, { sql: string; slots: Slot<P>[] }>();

  constructor(private readonly build: (db: Kysely<Database>, parameters: P) => Compilable<R>) {}

  execute(db: Kysely<Database>, values: P): Promise<QueryResult<R>> {
    // The text depends on the dialect (placeholders, quoting): one compilation per adapter kind.
    const dialect = db.getExecutor().adapter.constructor;
    let entry = this.compiled.get(dialect);
    if (!entry) {
      const markers = new Proxy({} as P, { get: (_target, name) => `${MARK}${String(name)}` });
      const query = this.build(db, markers).compile();
      const slots = query.parameters.map(
        (parameter): Slot<P> =>
          typeof parameter === 'string' && parameter.startsWith(MARK) ? { name: parameter.slice(MARK.length) as keyof P } : { value: parameter },
      );
      entry = { sql: query.sql, slots };
      this.compiled.set(dialect, entry);
    }
    const parameters = entry.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));
    return executeText<R>(db, entry.sql, parameters);
  }
}

/** A constant statement (pragma, savepoint) with no builder work at all. */
export function rawStatement(db: Kysely<Database>, text: string): Promise<QueryResult<unknown>> {
  return executeText(db, text, []);
}

/**
 * Runs a statement's text with its parameters. In a transaction on a SQLite store it goes straight
 * to the connection (see runDirectlyInTransactions); anywhere else, through the query builder.
 */
export function executeText<R>(db: Kysely<Database>, sql: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
  const store = db.isTransaction ? sqliteStores.get(db.getExecutor().adapter) : undefined;
  if (!store?.direct) return db.executeQuery<R>(CompiledQuery.raw(sql, parameters as unknown[]));
  try {
    return Promise.resolve(runStatement<R>(store.statements.get(sql), parameters));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** What the query builder's SQLite connection returns for a statement, without its layers. */
function runStatement<R>(statement: BetterSqlite3.Statement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
}

/**
 * Every SQLite store's statement cache by the store's query adapter (shared by the store's handle
 * and every transaction on it), and whether its transactions run statements directly.
 */
const sqliteStores = new WeakMap<object, { statements: StatementCache; direct: boolean }>();

/**
 * Lets statements run through executeText/PreparedQuery inside this SQLite store's transactions
 * skip the query builder's executor: its connection handling and promises cost about 2.5 µs a
 * statement, more than SQLite takes for most of the hit path's. Safe because the store has one
 * connection and a transaction holds it until it ends, so nothing else can be running a
 * statement on it; the adapter is shared by the store's handle and every transaction on it.
 * Stores with result plugins are left on the builder's path, which would apply them.
 */
export function runDirectlyInTransactions(db: Kysely<Database>, statements: StatementCache): void {
  const executor = db.getExecutor();
  sqliteStores.set(executor.adapter, { statements, direct: executor.plugins.length === 0 });
}

/** The statement cache of a SQLite store's connection; throws for any other handle. */
export function sqliteStatements(db: Kysely<Database>): StatementCache {
  const statements = sqliteStores.get(db.getExecutor().adapter)?.statements;
  if (!statements) throw new TypeError('not a SQLite store opened by openStore: its connection and statements are unknown');
  return statements;
}

/** Statements kept prepared per connection; more distinct texts than this are rare. */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * A SQLite connection's prepared statements by text, the most recently used kept. Every statement
 * run on the connection is prepared here (the query builder's and the direct ones), which makes
 * this the one place that can tell whether the hot path's lowered synchronous setting is still in
 * force for the statement about to run.
 */
export class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** Whether synchronous is OFF on the connection, and how many hot-path holders need it so. */
  private lowered = false;
  private holders = 0;

  constructor(private readonly database: BetterSqlite3.Database) {}

  /**
   * For a transaction whose commit is synced separately (SqliteDurableCommit): its commit must not
   * fsync. The setting is left lowered after release, so back-to-back batches of hits skip two
   * statements each; the first statement anyone else prepares restores FULL before it runs.
   */
  lowerSynchronous(): void {
    this.holders += 1;
    if (!this.lowered) {
      this.database.pragma('synchronous = off');
      this.lowered = true;
    }
  }

  releaseSynchronous(): void {
    this.holders -= 1;
  }

  get(sql: string): BetterSqlite3.Statement {
    if (this.lowered && this.holders === 0) {
      this.database.pragma('synchronous = full');
      this.lowered = false;
    }
    let statement = this.statements.get(sql);
    if (statement) {
      this.statements.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, statement);
    return statement;
  }
}

/**
 * Kysely prepares every statement it runs; on the hot path (a hit's INSERT and UPDATE) preparing
 * costs more than executing. better-sqlite3 statements are reusable, so keep the recent ones.
 */
export function withStatementCache(database: BetterSqlite3.Database, statements = new StatementCache(database)): BetterSqlite3.Database {
  const prepare = (sql: string) => statements.get(sql);
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
      return prepare;
    },
  });
}
