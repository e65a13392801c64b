import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { siblingModule } from '../core/sibling-module.js';

/** How often a PASSIVE checkpoint copies what the WAL holds into the database file. */
const CHECKPOINT_INTERVAL_MS = 100;

/**
 * WAL content past which the WAL is reset (RESTART). A PASSIVE checkpoint never catches up with
 * writers that never stop, and SQLite only rewinds the WAL when a writer starts with every frame
 * copied, so under sustained load the WAL grew without end (1.1 GB after 40 s). The reset pauses
 * writers for one short checkpoint. Twice this size, writers wait for the WAL to be cut back
 * (see walFull): 32 MiB, give or take one commit, is the WAL's bound whatever the disk's speed.
 */
export const WAL_RESTART_BYTES = 16 * 1024 * 1024;

/** How long a RESTART waits for readers still on the WAL before giving up (writers wait as long). */
const READER_WAIT_MS = 200;

/** A checkpoint taking longer than this means the thread is stuck: it is replaced. */
const UNRESPONSIVE_MS = 60_000;

/** Pause before a new thread replaces one that died, so a thread that dies at once cannot spin. */
const RESPAWN_DELAY_MS = 1000;

/** After a RESTART that readers kept from finishing, writers are not paused again for this long. */
const RESTART_RETRY_MS = 1000;

/** Growth lines are logged at most this often. */
const LOG_INTERVAL_MS = 10_000;

/** Sent to the worker (sqlite-checkpoint-worker.ts); 'close' runs a last PASSIVE and stops it. */
export interface CheckpointRequest {
  mode: 'PASSIVE' | 'RESTART' | 'TRUNCATE';
}

/** The worker's answer: SQLite's own three numbers, and the -wal file's size afterwards. */
export interface CheckpointReport {
  mode: CheckpointRequest['mode'];
  busy: boolean;
  /** Frames in the WAL, and how many of them are now in the database file (-1 on error). */
  frames: number;
  checkpointed: number;
  frameBytes: number;
  fileBytes: number;
  error?: string;
}

export interface CheckpointWorkerData {
  file: string;
  busyTimeoutMs: number;
}

export interface WalStatus {
  /** The -wal file's size: its high-water mark since the last truncation. */
  fileBytes: number;
  /** Frames the last checkpoint found in the WAL and could not copy (readers still on them). */
  lagFrames: number;
  /** Seconds since a checkpoint last left the WAL rewindable: every frame copied, and the WAL
   * either small or rewound (or since the store opened). */
  secondsSinceComplete: number;
  /** Threads that died or hung and were replaced. */
  workerRestarts: number;
  /** Checkpoints run, and how many of them were RESTARTs that rewound the WAL. */
  checkpoints: number;
  walRestarts: number;
}

export interface CheckpointerOptions {
  /** Paused while the WAL is reset, so the reset's write lock is free and nothing blocks on it. */
  writers?: { pauseWriters(): Promise<void>; resumeWriters(): void };
  warn: (message: string, context: Record<string, unknown>) => void;
  intervalMs?: number;
  restartAtBytes?: number;
}

/** A file's size, 0 when it does not exist (a WAL before the first write, or after the last close). */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The worker's file beside this one: .ts when run from source (tsx), .js once compiled. */

/**
 * Checkpoints a SQLite database from a worker thread, and keeps the WAL bounded.
 *
 * A checkpoint syncs the WAL, copies it into the database file and syncs that: tens of
 * milliseconds on a busy disk. On the server's own connection (better-sqlite3 is synchronous) that
 * would stall every request and alert for as long; on a second connection in a worker thread it
 * stalls nothing, and SQLite lets a PASSIVE checkpoint run beside the writer in WAL mode.
 *
 * A thread that dies or stops answering is replaced, so checkpoints never silently stop.
 */
export class SqliteCheckpointer {
  private worker: Worker | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly intervalMs: number;
  private readonly restartAtBytes: number;
  /** The request the worker is on, if any: one at a time. */
  private pending: { mode: CheckpointRequest['mode']; sentAt: number } | undefined;
  private writersPaused = false;
  private closing: Promise<void> | undefined;
  private last: CheckpointReport | undefined;
  private completeAt = Date.now();
  private restarts = 0;
  private checkpoints = 0;
  private walRestarts = 0;
  private restartNotBefore = 0;
  /** Writers are held until a TRUNCATE cuts the file back (see walFull). */
  private truncateDue = false;
  /** The WAL's frame count when it was last rewound. */
  private rewoundFrames = -1;
  private lastLogAt = 0;
  /** Checkpoints failed in a row, and when that was last logged. */
  private failures = 0;
  private lastFailureLogAt = 0;
  /** WAL size and lag past which the next growth line is logged; raised by each line. */
  private logAbove = { bytes: 0, seconds: 30 };
  /** The first of those marks: well past what a keeping-up WAL reaches (restart size, journal limit). */
  private readonly firstLogBytes: number;

  constructor(
    private readonly file: string,
    private readonly options: CheckpointerOptions,
  ) {
    this.intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
    this.restartAtBytes = options.restartAtBytes ?? WAL_RESTART_BYTES;
    this.firstLogBytes = this.restartAtBytes * 3;
    this.logAbove.bytes = this.firstLogBytes;
    this.spawn();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** The thread now doing the checkpoints (undefined while a dead one awaits its replacement). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  status(): WalStatus {
    const last = this.last;
    return {
      fileBytes: last?.fileBytes ?? 0,
      lagFrames: last && last.frames >= 0 ? last.frames - last.checkpointed : 0,
      secondsSinceComplete: (Date.now() - this.completeAt) / 1000,
      workerRestarts: this.restarts,
      checkpoints: this.checkpoints,
      walRestarts: this.walRestarts,
    };
  }

  /** Runs a last checkpoint and stops the thread. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    this.resumeWriters();
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held open again so the process waits for the last checkpoint.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private spawn(): void {
    const workerData: CheckpointWorkerData = { file: this.file, busyTimeoutMs: READER_WAIT_MS };
    const worker = new Worker(siblingModule('sqlite-checkpoint-worker', import.meta.url), { workerData });
    worker.on('message', (report: CheckpointReport) => this.onReport(report));
    worker.on('error', (error) => this.options.warn('the checkpoint thread failed', { file: this.file, error: error.message }));
    worker.on('exit', (code) => this.onExit(worker, code));
    // The server's lifetime is decided elsewhere; this thread never keeps the process up.
    worker.unref();
    this.worker = worker;
  }

  private onExit(worker: Worker, code: number): void {
    if (this.closing || worker !== this.worker) return;
    this.worker = undefined;
    this.pending = undefined;
    this.resumeWriters();
    this.restarts += 1;
    this.options.warn('the checkpoint thread stopped; starting a new one', { file: this.file, exitCode: code, restarts: this.restarts });
    setTimeout(() => {
      if (!this.closing) this.spawn();
    }, RESPAWN_DELAY_MS).unref();
  }

  private tick(): void {
    if (!this.worker || this.closing) return;
    if (this.pending) {
      if (Date.now() - this.pending.sentAt > UNRESPONSIVE_MS) {
        this.options.warn('the checkpoint thread stopped answering; replacing it', { file: this.file, mode: this.pending.mode });
        // Its exit event starts the replacement.
        void this.worker.terminate();
      }
      return;
    }
    this.send('PASSIVE');
  }

  /**
   * Called by the writers (SqliteDurableCommit's walLimit) when a commit left the -wal file past
   * twice the rewind size, having paused themselves: writers faster than a checkpoint can copy (a
   * slow disk) would outgrow any rewind. They wait for the copy under way and a TRUNCATE after it.
   * Within the retry pause after readers kept a rewind from finishing, they are let go at once:
   * the WAL then grows (and is logged) rather than every hit waiting on a reader.
   */
  walFull(): void {
    // Already held for a rewind under way, which will release them.
    if (this.writersPaused) return;
    if (this.closing || Date.now() < this.restartNotBefore) {
      this.options.writers?.resumeWriters();
      return;
    }
    void this.pauseWriters();
    this.truncateDue = true;
    if (!this.pending && this.worker) void this.restartWal();
  }

  private send(mode: CheckpointRequest['mode']): void {
    this.pending = { mode, sentAt: Date.now() };
    this.worker!.postMessage({ mode } satisfies CheckpointRequest);
  }

  private onReport(report: CheckpointReport): void {
    this.pending = undefined;
    const now = Date.now();
    if (report.error) {
      this.resumeWriters();
      // A full disk fails every checkpoint, ten a second: one line, then one per interval.
      this.failures += 1;
      if (now - this.lastFailureLogAt >= LOG_INTERVAL_MS) {
        this.lastFailureLogAt = now;
        this.options.warn('a checkpoint failed; the WAL grows until one succeeds', {
          file: this.file,
          mode: report.mode,
          error: report.error,
          failures: this.failures,
        });
      }
      return;
    }
    if (this.failures > 0) {
      this.options.warn('checkpoints succeed again', { file: this.file, failures: this.failures });
      this.failures = 0;
    }
    this.last = report;
    this.checkpoints += 1;
    if (report.mode !== 'PASSIVE') {
      if (report.busy) this.restartNotBefore = now + RESTART_RETRY_MS;
      else {
        this.walRestarts += 1;
        this.rewoundFrames = report.frames;
      }
      this.truncateDue = false;
    }
    // The frame counts are the WAL as the checkpoint found it: a PASSIVE that copied all it found
    // says nothing of what writers added meanwhile, so only a small WAL or a rewind counts as done.
    const walBytes = report.frames * report.frameBytes;
    if (!report.busy && report.checkpointed === report.frames && (report.mode !== 'PASSIVE' || walBytes < this.restartAtBytes)) this.completeAt = now;
    this.logGrowth();
    // The same frame count as the last rewind: nothing was written since, nothing to rewind.
    const due = report.mode === 'PASSIVE' && walBytes >= this.restartAtBytes && report.frames !== this.rewoundFrames && now >= this.restartNotBefore;
    if ((due || this.truncateDue) && !this.closing) void this.restartWal();
    else this.resumeWriters();
  }

  /**
   * Copies what is left of the WAL and rewinds it while no transaction of the server's runs: they
   * queue for the few milliseconds this takes, rather than the server's thread blocking on a lock.
   */
  private async restartWal(): Promise<void> {
    const worker = this.worker;
    const mode = this.truncateDue ? 'TRUNCATE' : 'RESTART';
    this.pending = { mode, sentAt: Date.now() };
    await this.pauseWriters();
    // The thread may have died, or the store closed, while transactions finished.
    if (this.closing || worker !== this.worker) return this.resumeWriters();
    this.send(mode);
  }

  /** Resolves once no transaction of the writers runs. While they wait on this thread, it keeps the process up. */
  private pauseWriters(): Promise<void> {
    if (!this.options.writers) return Promise.resolve();
    this.writersPaused = true;
    this.worker?.ref();
    return this.options.writers.pauseWriters();
  }

  private resumeWriters(): void {
    if (!this.writersPaused) return;
    this.writersPaused = false;
    if (!this.closing) this.worker?.unref();
    this.options.writers?.resumeWriters();
  }

  /** A line when the WAL or the lag passes the last size logged (doubling), at most every 10 s. */
  private logGrowth(): void {
    const status = this.status();
    const now = Date.now();
    if (status.fileBytes < this.firstLogBytes && status.lagFrames === 0) {
      this.logAbove = { bytes: this.firstLogBytes, seconds: 30 };
      return;
    }
    const grew = status.fileBytes >= this.logAbove.bytes || status.secondsSinceComplete >= this.logAbove.seconds;
    if (!grew || now - this.lastLogAt < LOG_INTERVAL_MS) return;
    this.lastLogAt = now;
    this.logAbove = {
      bytes: Math.max(this.logAbove.bytes, status.fileBytes * 2),
      seconds: Math.max(this.logAbove.seconds, status.secondsSinceComplete * 2),
    };
    this.options.warn('the WAL is growing: checkpoints are not keeping up (a long read holds an old snapshot, or the disk is slow or full)', {
      file: this.file,
      walBytes: status.fileBytes,
      checkpointLagFrames: status.lagFrames,
      secondsSinceCompleteCheckpoint: Math.round(status.secondsSinceComplete),
    });
  }
}
