import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StoreError } from '../core/errors.js';
import { siblingModule } from '../core/sibling-module.js';

/** Threads reading at once: up to two, always leaving a core to the server's own thread. */
export const DEFAULT_READ_THREADS = Math.max(1, Math.min(2, availableParallelism() - 1));

interface Call {
  resolve: (rows: unknown[]) => void;
  reject: (error: unknown) => void;
}

interface Reader {
  worker: Worker;
  calls: Map<number, Call>;
  /** Set once the thread has opened its connection: a thread that dies before that is not started again. */
  online: boolean;
}

interface Answer {
  /** Sent once, when the thread has opened its connection. */
  ready?: true;
  id: number;
  rows?: unknown[];
  error?: string;
}

// The worker is a real module beside this one: .ts when run from the sources, .js when built.
const WORKER_URL = siblingModule('sqlite-read-worker', import.meta.url);

/**
 * Read-only connections to a SQLite file, each in its own worker thread.
 *
 * better-sqlite3 runs a query on the calling thread, so a query that scans (a search, a deep page,
 * an export) would stall every request, hits included, for as long as it runs. Here it stalls only
 * its thread. WAL mode lets these connections read beside the server's writer; each read sees what
 * was committed when it began. A thread that dies is replaced; the queries it held fail.
 */
export class SqliteReadPool {
  private readonly readers: Reader[] = [];
  private nextId = 0;
  private closing = false;
  /** Why no thread is left, once every one failed to start. */
  private broken: string | undefined;

  constructor(
    private readonly file: string,
    threads: number = DEFAULT_READ_THREADS,
  ) {
    for (let i = 0; i < threads; i++) this.readers.push(this.spawn());
  }

  /** The threads, for tests that stop one. */
  get workers(): readonly Worker[] {
    return this.readers.map((reader) => reader.worker);
  }

  query(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.closing) return Promise.reject(new StoreError('the store is closed', { file: this.file }));
    if (this.broken) return Promise.reject(new StoreError(`no read thread could start: ${this.broken}`, { file: this.file }));
    const reader = this.readers.reduce((least, r) => (r.calls.size < least.calls.size ? r : least));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A thread with work keeps the process up until it answers; an idle one never does.
      if (reader.calls.size === 0) reader.worker.ref();
      reader.calls.set(id, { resolve, reject });
      reader.worker.postMessage({ id, sql, parameters });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(
      this.readers.map(async ({ worker }) => {
        worker.ref();
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage('close');
        await exited;
      }),
    );
  }

  private spawn(): Reader {
    const worker = new Worker(WORKER_URL, { workerData: { file: this.file } });
    const reader: Reader = { worker, calls: new Map(), online: false };
    worker.on('message', (answer: Answer) => {
      if (answer.ready) {
        reader.online = true;
        return;
      }
      const call = reader.calls.get(answer.id);
      if (!call) return;
      reader.calls.delete(answer.id);
      if (reader.calls.size === 0) worker.unref();
      if (answer.error === undefined) call.resolve(answer.rows ?? []);
      else call.reject(new StoreError(`read query failed: ${answer.error}`, { file: this.file }));
    });
    let failure = 'the thread stopped';
    worker.on('error', (error) => (failure = error.message));
    worker.once('exit', () => this.lost(reader, failure));
    // After the listeners: adding a message listener holds the thread's port open again.
    worker.unref();
    return reader;
  }

  /** Fails the queries a thread held and, unless the pool is closing, starts another in its place. */
  private lost(reader: Reader, reason: string): void {
    for (const call of reader.calls.values()) call.reject(new StoreError(`read thread lost: ${reason}`, { file: this.file }));
    reader.calls.clear();
    if (this.closing) return;
    const index = this.readers.indexOf(reader);
    if (index < 0) return;
    if (reader.online) {
      this.readers[index] = this.spawn();
      return;
    }
    // A thread that could not start would fail again at once: run on with the others, if any.
    this.readers.splice(index, 1);
    if (this.readers.length === 0) this.broken = reason;
  }
}
