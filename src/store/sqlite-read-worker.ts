/**
 * One read-only SQLite connection in a worker thread (see sqlite-read-pool.ts). Kept free of the
 * project's own modules so it loads the same from dist/ and from the sources.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Request {
  id: number;
  sql: string;
  parameters: unknown[];
}

const STATEMENT_CACHE_SIZE = 64;

/**
 * On Linux a thread has its own nice value, and setting it for process 0 sets the calling
 * thread's. A read then yields the CPU to the server's thread (hits, alerts) when cores are
 * short, instead of taking turns with it. Where the system refuses, reads run at normal priority.
 */
const READ_THREAD_NICE = 10;
try {
  setPriority(READ_THREAD_NICE);
} catch {
  // Not permitted here: the reads still run off the server's thread.
}

const port = parentPort!;
const { file } = workerData as { file: string };
const db = new Database(file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map<string, Database.Statement>();
port.postMessage({ ready: true });

function prepare(sql: string): Database.Statement {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
    statements.set(sql, statement);
  }
  return statement;
}

port.on('message', (message: Request | 'close') => {
  if (message === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    const statement = prepare(message.sql);
    // The connection is read-only: anything but a query fails in SQLite with its own message.
    let rows: unknown[] = [];
    if (statement.reader) rows = statement.all(message.parameters);
    else statement.run(message.parameters);
    port.postMessage({ id: message.id, rows });
  } catch (error) {
    port.postMessage({ id: message.id, error: (error as Error).message ?? String(error) });
  }
});
