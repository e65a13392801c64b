/**
 * Where exported events go: stdout, or a file rotated by size (FILE, FILE.1 ... FILE.N, oldest
 * dropped), like Tetragon's --export-filename with its size limit and backups. Writes are
 * batched and asynchronous so exporting never holds up an event; a sink that falls far behind
 * drops lines and says so rather than growing without end.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';

export interface ExportSink {
  write(record: unknown): void;
  /** Resolves when everything written so far is handed to the kernel. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const MAX_PENDING_LINES = 10_000;

/** Collects lines and writes them in batches, one batch at a time. */
abstract class BatchingSink implements ExportSink {
  private pending: string[] = [];
  private writing: Promise<void> | null = null;
  private dropped = 0;

  constructor(protected readonly log: Logger) {}

  write(record: unknown): void {
    if (this.pending.length >= MAX_PENDING_LINES) {
      if (this.dropped++ % 1000 === 0) this.log.error({ dropped: this.dropped }, 'export is not keeping up; dropping events');
      return;
    }
    this.pending.push(`${JSON.stringify(record)}\n`);
    this.writing ??= this.drain();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.release();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.join('');
        this.pending = [];
        try {
          await this.output(batch);
        } catch (err) {
          this.log.error({ err }, 'writing exported events failed');
        }
      }
    } finally {
      this.writing = null;
    }
  }

  protected abstract output(text: string): Promise<void>;
  protected abstract release(): Promise<void>;
}

export class StdoutSink extends BatchingSink {
  protected output(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
  }

  protected async release(): Promise<void> {}
}

export interface RotatingFileOptions {
  maxBytes: number;
  /** Rotated files kept besides the live one. */
  keep: number;
}

export class RotatingFileSink extends BatchingSink {
  private handle: FileHandle | null = null;
  private size = 0;

  constructor(
    private readonly path: string,
    private readonly options: RotatingFileOptions,
    log: Logger,
  ) {
    super(log);
  }

  protected async output(text: string): Promise<void> {
    const bytes = Buffer.byteLength(text);
    if (this.handle && this.size > 0 && this.size + bytes > this.options.maxBytes) await this.rotate();
    if (!this.handle) {
      this.handle = await open(this.path, 'a', 0o640);
      this.size = (await this.handle.stat()).size;
    }
    await this.handle.write(text);
    this.size += bytes;
  }

  protected async release(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
  }

  private async rotate(): Promise<void> {
    await this.release();
    await rm(`${this.path}.${this.options.keep}`, { force: true });
    for (let n = this.options.keep - 1; n >= 1; n--) {
      await rename(`${this.path}.${n}`, `${this.path}.${n + 1}`).catch(() => undefined);
    }
    if (this.options.keep > 0) await rename(this.path, `${this.path}.1`);
    else await rm(this.path, { force: true });
  }
}

/** "-" is stdout; anything else a file path. */
export async function openExportSink(target: string, options: RotatingFileOptions, log: Logger): Promise<ExportSink> {
  if (target === '-') return new StdoutSink(log);
  // Fail at start, not at the first event, when the file cannot be written.
  const handle = await open(target, 'a', 0o640);
  await handle.close();
  return new RotatingFileSink(target, options, log);
}
