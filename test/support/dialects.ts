import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/store/schema.js';
import { startPostgres, type TestPostgres } from './postgres.js';

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  /** A location for a fresh, empty store of this dialect. */
  newLocation(): Promise<string>;
}

/**
 * The two store dialects as test cases: a fresh SQLite file, and a fresh database on a real
 * PostgreSQL server this test file starts on loopback (and stops when it ends).
 */
export function storeDialects(): DialectCase[] {
  let postgres: TestPostgres | undefined;
  const dirs: string[] = [];
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => {
    postgres?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return [
    {
      name: 'sqlite',
      async newLocation() {
        const dir = mkdtempSync(join(tmpdir(), 'tripline-sqlite-'));
        dirs.push(dir);
        return join(dir, 'tripline.db');
      },
    },
    {
      name: 'postgres',
      newLocation: () => postgres!.newDatabase(),
    },
  ];
}

/** A bare connection to a store's location, without migrating: for building the store an older version left. */
export function rawConnection(location: string): Kysely<Database> {
  if (location.startsWith('postgres'))
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location, max: 1 }) }) });
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(location) }) });
}
