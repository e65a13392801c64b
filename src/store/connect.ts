import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { StoreError } from '../core/errors.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { runDirectlyInTransactions, StatementCache, withStatementCache } from './prepared.js';
import { plainCommit, postgresUnsyncedCommit, SqliteDurableCommit, type DurableCommit } from './durable-commit.js';
import { SqliteCheckpointer, WAL_RESTART_BYTES, type WalStatus } from './sqlite-checkpointer.js';
import { readPoolDatabase } from './read-pool-dialect.js';
import { SqliteReadPool } from './sqlite-read-pool.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  /** For reads that may scan (pages, charts, searches): they never stall the server's thread (SQLite: read threads). No transactions. */
  reader: Kysely<Database>;
  dialect: StoreDialect;
  /** Where the store lives, with any password removed: safe to log. */
  location: string;
  /** The hot path's transaction: resolves once committed and on disk, without stalling the server. */
  durableCommit: DurableCommit;
  /** A transaction that survives the process dying but does not wait for the disk. */
  unsyncedCommit: DurableCommit;
  /** The SQLite WAL's size and checkpoint lag, for metrics; absent on PostgreSQL. */
  walStatus?: () => WalStatus;
  close(): Promise<void>;
}

/** Where the store reports trouble it works around (a checkpoint failing): pino's warn fits. */
export interface StoreLog {
  warn(context: Record<string, unknown>, message: string): void;
}

/** Without a logger the store's warnings go to stderr, one line each. */
const stderrLog: StoreLog = {
  warn: (context, message) => process.stderr.write(`tripline: ${message} ${JSON.stringify(context)}\n`),
};

export const DEFAULT_SQLITE_PATH = './data/tripline.db';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A connection string with the password replaced, for logs and error messages. */
export function redactLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

// COUNT(*) and SUM() come back from PostgreSQL as int8, which pg returns as strings by default.
// Every counter Tripline reads fits in a double, so read them as numbers on both dialects.
pg.types.setTypeParser(20, (value) => Number(value));

/**
 * The store holds key hashes, channel secrets and what attackers sent: only the server's user may
 * read it. Directories created here are 0700; the file is created 0600 before SQLite opens it,
 * and SQLite gives its -wal and -shm files the database file's mode. Files left by an older
 * version are tightened too. An existing directory is not changed (it may be shared, like /tmp).
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

function openSqlite(path: string, walRestartBytes: number): Kysely<Database> {
  const file = resolve(path);
  try {
    createPrivately(file);
    const database = new BetterSqlite3(file);
    // WAL lets readers run beside the writer; FULL makes every commit durable before a hit is
    // acknowledged. Group commit (HitWriter) keeps the fsync cost per batch, not per hit.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    // Checkpoints are run by SqliteCheckpointer (a worker thread, its own connection, under FULL),
    // never by this connection, whose hot-path commits run with synchronous=OFF.
    database.pragma('wal_autocheckpoint = 0');
    // A rewound WAL is cut back to the size at which rewinds start by the next commit here, so its
    // file size says how much it holds (the writers' WAL limit relies on that); below that size the
    // file is reused in place, which is cheaper than growing it again.
    database.pragma(`journal_size_limit = ${walRestartBytes}`);
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    const statements = new StatementCache(database);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database, statements) }) });
    runDirectlyInTransactions(db, statements);
    return db;
  } catch (error) {
    throw new StoreError(`cannot open the SQLite store at ${file}: ${(error as Error).message}`, { file }, error);
  }
}

async function openPostgres(url: string): Promise<Kysely<Database>> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one, which the pool no longer listens to: between two statements of a
  // transaction (or while a restart cuts every session) its error has no query to go to. The next
  // statement on it fails instead, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot reach PostgreSQL at ${redactLocation(url)}: ${(error as Error).message}`, { location: redactLocation(url) }, error);
  }
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Applies every migration not yet applied. Fails loudly: a half-migrated store must not serve. */
export async function migrate(db: Kysely<Database>, location: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(`migration ${failed} failed on ${location}: ${(error as Error).message ?? String(error)}`, { location, migration: failed }, error);
  }
}

export interface StoreOptions {
  log?: StoreLog;
  /** SQLite: the WAL size past which it is rewound (twice this holds writers), and how often
   * checkpoints run; the defaults keep the WAL under 64 MiB. */
  wal?: { restartAtBytes?: number; checkpointIntervalMs?: number };
}

/** Opens the store at a file path (SQLite) or a postgres:// URL and brings its schema up to date. */
export async function openStore(location: string = DEFAULT_SQLITE_PATH, options: StoreOptions = {}): Promise<Store> {
  const dialect: StoreDialect = isPostgresUrl(location) ? 'postgres' : 'sqlite';
  const safeLocation = redactLocation(location);
  const restartAtBytes = options.wal?.restartAtBytes ?? WAL_RESTART_BYTES;
  const db = dialect === 'postgres' ? await openPostgres(location) : openSqlite(location, restartAtBytes);
  try {
    await migrate(db, safeLocation);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  if (dialect === 'postgres') {
    return {
      db,
      reader: db,
      dialect,
      location: safeLocation,
      durableCommit: plainCommit(db),
      unsyncedCommit: postgresUnsyncedCommit(db),
      close: () => db.destroy(),
    };
  }
  const file = resolve(location);
  const log = options.log ?? stderrLog;
  const fast: SqliteDurableCommit = new SqliteDurableCommit(db, `${file}-wal`, {
    walLimit: { bytes: restartAtBytes * 2, onFull: () => checkpointer.walFull() },
  });
  const checkpointer = new SqliteCheckpointer(file, {
    writers: fast,
    warn: (message, context) => log.warn(context, message),
    restartAtBytes,
    intervalMs: options.wal?.checkpointIntervalMs,
  });
  const readPool = new SqliteReadPool(file);
  const reader = readPoolDatabase(readPool);
  return {
    db,
    reader,
    dialect,
    location: safeLocation,
    durableCommit: fast.commit,
    unsyncedCommit: fast.unsyncedCommit,
    walStatus: () => checkpointer.status(),
    async close() {
      await checkpointer.close();
      await fast.close();
      await readPool.close();
      await db.destroy();
    },
  };
}
