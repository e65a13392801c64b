/**
 * The checkpoint thread (started by SqliteCheckpointer): its own connection to the database with
 * synchronous=FULL, so each checkpoint syncs the WAL before copying it and the database file before
 * marking the WAL reusable. It runs the checkpoints it is asked for, one at a time, and reports
 * what each found.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { fileBytes, type CheckpointReport, type CheckpointRequest, type CheckpointWorkerData } from './sqlite-checkpointer.js';

const { file, busyTimeoutMs } = workerData as CheckpointWorkerData;
const db = new BetterSqlite3(file, { fileMustExist: true });
db.pragma('synchronous = FULL');
// RESTART waits for readers that still use the WAL, holding the write lock meanwhile: this bounds
// how long a reader's old snapshot can hold the server's writers up before the restart gives up.
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
const frameBytes = Number(db.pragma('page_size', { simple: true })) + 24;

const walFileBytes = () => fileBytes(`${file}-wal`);

function checkpoint(mode: CheckpointRequest['mode']): CheckpointReport {
  try {
    const [row] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    return { mode, busy: row!.busy !== 0, frames: row!.log, checkpointed: row!.checkpointed, frameBytes, fileBytes: walFileBytes() };
  } catch (error) {
    return { mode, busy: true, frames: -1, checkpointed: -1, frameBytes, fileBytes: walFileBytes(), error: (error as Error).message };
  }
}

parentPort!.on('message', (message: CheckpointRequest | 'close') => {
  if (message === 'close') {
    checkpoint('PASSIVE');
    db.close();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(checkpoint(message.mode));
});
