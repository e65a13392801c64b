/**
 * Follows Tetragon's JSON export file (one GetEventsResponse per line) across rotation, with the
 * position kept in a state file, so a restart reads on from where the last run stopped: no line
 * read twice as a new event (ids are stable, so a line read again after a crash is a duplicate
 * the server drops) and none skipped, even when the file rotated while the input was down.
 * Rotation is noticed by the path naming another inode (Tetragon renames the full file and opens
 * a new one): the old file is read to its end first. A file truncated in place starts again at 0.
 */
import { mkdir, open, readdir, readFile, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { sleep } from '../../core/backoff.js';

interface Position {
  ino: number;
  offset: number;
}

const CHUNK = 256 * 1024;

export class ExportTail {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private position: Position | null = null;

  constructor(
    private readonly path: string,
    private readonly stateFile: string,
    /** Called for each complete line, one at a time; the position moves past it once it resolves. */
    private readonly onLine: (line: string) => Promise<void>,
    private readonly log: Logger,
    private readonly pollMs = 200,
  ) {}

  async start(): Promise<void> {
    try {
      this.position = JSON.parse(await readFile(this.stateFile, 'utf8')) as Position;
    } catch {
      this.position = null;
    }
    this.running = this.follow().catch((err: unknown) => this.log.error({ err, file: this.path }, 'following the Tetragon export stopped'));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async follow(): Promise<void> {
    await this.catchUpRotated();
    while (!this.stopping.signal.aborted) {
      const st = await stat(this.path).catch(() => null);
      if (!st) {
        await sleep(this.pollMs, this.stopping.signal);
        continue;
      }
      if (this.position?.ino !== st.ino || st.size < this.position.offset) {
        if (this.position?.ino === st.ino) this.log.warn({ file: this.path }, 'the Tetragon export was truncated; reading it from the start');
        this.position = { ino: st.ino, offset: 0 };
      }
      const moved = await this.readFrom(this.path, this.position);
      if (!moved) await sleep(this.pollMs, this.stopping.signal);
    }
  }

  /** The file the last run was reading was rotated away meanwhile: read its rest first. */
  private async catchUpRotated(): Promise<void> {
    const position = this.position;
    if (!position) return;
    const current = await stat(this.path).catch(() => null);
    if (current?.ino === position.ino) return;
    const dir = dirname(this.path);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.startsWith(basename(this.path).replace(/\.[^.]*$/, ''))) continue;
      const st = await stat(join(dir, name)).catch(() => null);
      if (st?.ino === position.ino) {
        this.log.info({ file: join(dir, name) }, 'reading the rest of the rotated Tetragon export');
        while (await this.readFrom(join(dir, name), position)) {
          /* until its end */
        }
        return;
      }
    }
    this.log.warn({ file: this.path }, 'the Tetragon export file read last is gone; reading the current one from the start');
  }

  /** Reads complete lines from `position` on; true when it moved. */
  private async readFrom(path: string, position: Position): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch {
      return false;
    }
    try {
      const buffer = Buffer.alloc(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position.offset);
      if (bytesRead === 0) return false;
      const data = buffer.subarray(0, bytesRead);
      const base = position.offset;
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        const line = data.subarray(start, nl).toString('utf8').trim();
        if (line) await this.onLine(line);
        start = nl + 1;
        position.offset = base + start;
      }
      if (start === 0 && bytesRead === CHUNK) {
        // A line longer than a chunk is not an event Tetragon writes; step over it rather than stall.
        this.log.warn({ file: path, offset: base }, 'skipping an over-long line in the Tetragon export');
        position.offset = base + bytesRead;
        start = bytesRead;
      }
      if (start > 0) await this.save(position);
      return start > 0;
    } finally {
      await handle.close();
    }
  }

  /** Written whole then renamed: a crash leaves the old position or the new one. */
  private async save(position: Position): Promise<void> {
    await mkdir(dirname(this.stateFile), { recursive: true, mode: 0o700 });
    const temp = `${this.stateFile}.tmp`;
    await writeFile(temp, JSON.stringify(position), { mode: 0o600 });
    await rename(temp, this.stateFile);
  }
}
