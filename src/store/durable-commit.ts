import { open, type FileHandle } from 'node:fs/promises';
import type { Kysely, Transaction } from 'kysely';
import { rawStatement } from './prepared.js';
import type { Database } from './schema.js';

/** Runs work in one transaction and resolves only once that transaction is durable on disk. */
export type DurableCommit = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/** PostgreSQL (and SQLite outside the hot path): COMMIT itself waits for the disk. */
export function plainCommit(db: Kysely<Database>): DurableCommit {
  return (work) => db.transaction().execute(work);
}

/** Hot-path commits between two checkpoints; a checkpoint bounds the WAL and syncs the database file. */
const COMMITS_PER_CHECKPOINT = 200;
const CHECKPOINT_INTERVAL_MS = 10_000;

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
 * connection and this class runs them itself under FULL.
 */
export class SqliteDurableCommit {
  private wal: FileHandle | undefined;
  private syncing: Promise<void> | undefined;
  private nextSync: Promise<void> | undefined;
  private commitsSinceCheckpoint = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly walPath: string,
  ) {
    this.timer = setInterval(() => void this.checkpoint().catch(() => undefined), CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  readonly commit: DurableCommit = async (work) => {
    // One reserved connection, so no other statement runs while synchronous is lowered.
    const result = await this.db.connection().execute(async (connection) => {
      await rawStatement(connection, 'pragma synchronous = off');
      try {
        return await connection.transaction().execute(work);
      } finally {
        await rawStatement(connection, 'pragma synchronous = full');
      }
    });
    await this.syncWal();
    if (++this.commitsSinceCheckpoint >= COMMITS_PER_CHECKPOINT) await this.checkpoint();
    return result;
  };

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing?.catch(() => undefined);
    await this.nextSync?.catch(() => undefined);
    await this.checkpoint().catch(() => undefined);
    await this.wal?.close();
    this.wal = undefined;
  }

  /** Copies the WAL into the database file with full syncs (synchronous is FULL outside commit()). */
  private async checkpoint(): Promise<void> {
    this.commitsSinceCheckpoint = 0;
    await rawStatement(this.db, 'pragma wal_checkpoint(PASSIVE)');
  }

  /** Resolves once every WAL frame written before the call is on disk. */
  private syncWal(): Promise<void> {
    if (!this.syncing) {
      this.syncing = this.fdatasync().finally(() => (this.syncing = undefined));
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
