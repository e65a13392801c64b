import { createRequire } from 'node:module';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** How often the WAL is copied into the database file. */
const CHECKPOINT_INTERVAL_MS = 1000;

// Runs in the worker: its own connection, synchronous=FULL, so each checkpoint syncs the WAL
// before copying it and the database file before marking the WAL reusable.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = FULL');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); }
  catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a SQLite database from a worker thread.
 *
 * A checkpoint syncs the WAL, copies it into the database file and syncs that: tens of
 * milliseconds on a busy disk. On the server's own connection (better-sqlite3 is synchronous) that
 * would stall every request and alert for as long; on a second connection in a worker thread it
 * stalls nothing, and SQLite lets a checkpoint run beside the writer in WAL mode.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, onError: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS } });
    this.worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error);
    });
    this.worker.on('error', (error) => onError(error.message));
    // The server's lifetime is decided elsewhere; this thread never keeps the process up.
    this.worker.unref();
  }

  /** Runs a last checkpoint and stops the thread. */
  async close(): Promise<void> {
    const exited = once(this.worker, 'exit');
    // Held open again so the process waits for the last checkpoint.
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }
}
