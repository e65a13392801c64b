/**
 * One read-only SQLite connection in a worker thread (see sqlite-read-pool.ts). Kept free of the
 * project's own modules so it loads the same from dist/ and from the sources.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Request {
  id: number;
  sql: string;
  parameters: unknown[];
}

const STATEMENT_CACHE_SIZE = 64;

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
    const rows = statement.reader ? statement.all(message.parameters) : (statement.run(message.parameters), []);
    port.postMessage({ id: message.id, rows });
  } catch (error) {
    port.postMessage({ id: message.id, error: (error as Error).message ?? String(error) });
  }
});
