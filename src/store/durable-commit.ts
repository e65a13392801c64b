import { open, type FileHandle } from 'node:fs/promises';
import type { Kysely, Transaction } from 'kysely';
import { rawStatement, sqliteStatements, type StatementCache } from './prepared.js';
import { fileBytes } from './sqlite-checkpointer.js';
import type { Database } from './schema.js';

/** The longest wait between two checks of the WAL's size against the writers' limit. */
const WAL_CHECK_INTERVAL_MS = 10;
/** A generous bound on how fast commits grow the WAL; batches of hits under a flood grew it by about 40 KiB a millisecond here. */
const WAL_GROWTH_BYTES_PER_MS = 64 * 1024;

/** Runs work in one transaction and resolves only once that transaction is durable on disk. */
export type DurableCommit = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/** PostgreSQL (and SQLite outside the hot path): COMMIT itself waits for the disk. */
export function plainCommit(db: Kysely<Database>): DurableCommit {
  return (work) => db.transaction().execute(work);
}

/** PostgreSQL's commit that does not wait for its WAL flush (see SqliteDurableCommit.unsyncedCommit). */
export function postgresUnsyncedCommit(db: Kysely<Database>): DurableCommit {
  return (work) =>
    db.transaction().execute(async (trx) => {
      await rawStatement(trx, 'set local synchronous_commit = off');
      return work(trx);
    });
}

/** Makes the WAL's written frames durable (fdatasync of the -wal file unless a test passes its own). */
export type WalSync = (walPath: string) => Promise<void>;

export interface SqliteDurableCommitOptions {
  sync?: WalSync;
  /** Past this size of the -wal file after a commit, writers pause and onFull is called; whoever
   * rewinds the WAL then calls resumeWriters(). */
  walLimit?: { bytes: number; onFull: () => void };
}

/**
 * Group commit for SQLite without blocking the event loop on fsync.
 *
 * better-sqlite3 is synchronous, so with synchronous=FULL every COMMIT stalls the whole server for
 * an fsync (milliseconds on a busy disk), and no request is read meanwhile. Here the hot-path
 * transaction commits with synchronous=OFF (its WAL frames are written, not yet synced), then the
 * WAL file is fdatasync'ed on libuv's thread pool while the event loop goes on; callers resolve
 * only after that sync, so an acknowledged hit is exactly as durable as under FULL. One sync covers
 * every transaction committed before it started, so concurrent batches share it.
 *
 * Checkpoints must not run with synchronous=OFF (a WAL restart could then overwrite frames whose
 * pages are not yet safe in the database file), so automatic checkpoints are off on this
 * connection; SqliteCheckpointer runs them from another connection under FULL, and pauses the
 * transactions started here (pauseWriters) while it resets the WAL.
 */
export class SqliteDurableCommit {
  private wal: FileHandle | undefined;
  private syncing: Promise<void> | undefined;
  private nextSync: Promise<void> | undefined;
  /** Transactions started here and not yet finished. */
  private active = 0;
  /** Set while writers are paused: new transactions wait for it. */
  private paused: { released: Promise<void>; release: () => void } | undefined;
  private drained: (() => void) | undefined;
  private readonly sync: () => Promise<void>;
  private readonly statements: StatementCache;
  private lastWalCheck = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly walPath: string,
    private readonly options: SqliteDurableCommitOptions = {},
  ) {
    const sync = options.sync;
    this.sync = sync ? () => sync(walPath) : () => this.fdatasync();
    this.statements = sqliteStatements(db);
  }

  readonly commit: DurableCommit = async (work) => {
    const result = await this.transact(work);
    await this.syncWal();
    return result;
  };

  /**
   * Commits without waiting for the disk: safe against the process dying (the frames are in the
   * kernel's hands), not against the machine losing power. For bookkeeping that a crash makes
   * moot anyway, such as a dispatcher's claim on a delivery.
   */
  readonly unsyncedCommit: DurableCommit = (work) => this.transact(work);

  /**
   * Holds new transactions back and resolves once none started here is running, so a checkpoint
   * can take the write lock at once instead of the server's thread blocking on it. Callers queue
   * meanwhile; nothing is refused. Every pause must be followed by resumeWriters().
   */
  async pauseWriters(): Promise<void> {
    this.closeGate();
    if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
  }

  private closeGate(): void {
    if (this.paused) return;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.paused = { released, release };
  }

  resumeWriters(): void {
    const paused = this.paused;
    this.paused = undefined;
    paused?.release();
  }

  async close(): Promise<void> {
    this.resumeWriters();
    await this.syncing?.catch(() => undefined);
    await this.nextSync?.catch(() => undefined);
    await this.wal?.close();
    this.wal = undefined;
  }

  private async transact<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    while (this.paused) await this.paused.released;
    this.active += 1;
    try {
      // One reserved connection, so no other statement runs while synchronous is lowered; once it
      // is released, the next statement from elsewhere restores FULL first (StatementCache).
      return await this.db.connection().execute(async (connection) => {
        this.statements.lowerSynchronous();
        // SQLite rolls a transaction back itself on some errors (SQLITE_FULL among them); the
        // query builder's ROLLBACK then fails with "no transaction is active", and that error
        // would replace the one that says what went wrong.
        let failure: { error: unknown } | undefined;
        try {
          return await connection.transaction().execute(async (trx) => {
            try {
              return await work(trx);
            } catch (error) {
              failure = { error };
              throw error;
            }
          });
        } catch (error) {
          throw failure ? failure.error : error;
        } finally {
          this.statements.releaseSynchronous();
        }
      });
    } finally {
      this.active -= 1;
      const limit = this.options.walLimit;
      if (limit && !this.paused && this.walCheckDue(limit.bytes) && fileBytes(this.walPath) >= limit.bytes) {
        this.closeGate();
        limit.onFull();
      }
      if (this.active === 0 && this.drained) {
        const drained = this.drained;
        this.drained = undefined;
        drained();
      }
    }
  }

  /**
   * Whether to stat the WAL after this transaction. A stat took tens of microseconds under load, as
   * much as a batch's decision, so it is taken at most every few milliseconds: as often as lets the
   * WAL grow by an eighth of the limit between checks at WAL_GROWTH_BYTES_PER_MS, and at least every
   * WAL_CHECK_INTERVAL_MS (the default limit allows 64 ms).
   */
  private walCheckDue(limitBytes: number): boolean {
    const now = performance.now();
    const interval = Math.min(WAL_CHECK_INTERVAL_MS, limitBytes / 8 / WAL_GROWTH_BYTES_PER_MS);
    if (now - this.lastWalCheck < interval) return false;
    this.lastWalCheck = now;
    return true;
  }

  /** Resolves once every WAL frame written before the call is on disk. */
  private syncWal(): Promise<void> {
    if (!this.syncing) {
      this.syncing = this.sync().finally(() => (this.syncing = undefined));
      return this.syncing;
    }
    // A sync is under way but may have started before our frames were written: take the next one.
    this.nextSync ??= this.syncing
      .catch(() => undefined)
      .then(() => {
        this.nextSync = undefined;
        return this.syncWal();
      });
    return this.nextSync;
  }

  private async fdatasync(): Promise<void> {
    this.wal ??= await open(this.walPath, 'r');
    await this.wal.datasync();
  }
}
