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
    return db.executeQuery<R>(CompiledQuery.raw(entry.sql, parameters));
  }
}

/** A constant statement (pragma, savepoint) with no builder work at all. */
export function rawStatement(db: Kysely<Database>, text: string): Promise<QueryResult<unknown>> {
  return db.executeQuery(CompiledQuery.raw(text, []));
}

/** Statements kept prepared per connection; more distinct texts than this are rare. */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every statement it runs; on the hot path (a hit's INSERT and UPDATE) preparing
 * costs more than executing. better-sqlite3 statements are reusable, so keep the recent ones.
 */
export function withStatementCache(database: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
      return (sql: string) => {
        let statement = cache.get(sql);
        if (statement) {
          cache.delete(sql);
        } else {
          statement = prepare(sql);
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        }
        cache.set(sql, statement);
        return statement;
      };
    },
  });
}
