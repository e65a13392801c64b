/**
 * Events on their way to the server, kept on disk until the server has them. Every event is
 * appended to a segment file (JSON lines) and fsync'd; it may be sent while that write is under
 * way (the send never waits for the disk, so detection does not pay an fsync). Acknowledgements
 * and refusals run after the writes queued before them, so they always find the event written.
 * A segment is deleted
 * once the server has answered 200 for every event in it; until then the ids confirmed so far are
 * noted beside it (SEGMENT.acked), so a restart does not send them again. On start the segments
 * left by the previous run are read back and sent first. A crash between the server's 200 and
 * the note sends those events again; their ids make the server drop the repeats.
 *
 * Appends that arrive while one is being written go out together in the next write, and writes
 * start at most every `commitIntervalMs` (5 ms), so a burst of accesses costs one fsync per
 * interval, not one each; sending does not wait for them. A batch the server will never accept (400, 422) is
 * moved to rejected/ for a human to look at, not retried forever.
 */
import { appendFile, mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newRowId } from '../../core/ids.js';
import { SerialQueue } from '../../core/serial-queue.js';
import { AgentError } from '../errors.js';
import type { AgentEvent } from '../../core/agent-protocol.js';

interface Segment {
  name: string;
  /** Events in this file the server has not confirmed. */
  remaining: number;
  bytes: number;
}

interface Entry {
  event: AgentEvent;
  /** Null when writing to disk failed: the event is still sent, but would not survive a restart. */
  segment: Segment | null;
}

interface Waiting {
  event: AgentEvent;
  done: () => void;
}

export interface SpoolOptions {
  /** Events kept at most; beyond it new events are dropped, loudly. */
  maxEvents?: number;
  /** Size at which a new segment file is started. */
  segmentBytes?: number;
  /** Least time between the starts of two writes (each ends with an fsync). Default 5 ms. */
  commitIntervalMs?: number;
}

const SEGMENT = /^[0-9a-z]+\.jsonl$/;
export const REJECTED_DIR = 'rejected';

export class Spool {
  private entries: Entry[] = [];
  private waiting: Waiting[] = [];
  /** Taken from `waiting` by the commit in progress, not yet in `entries`. */
  private writing: Waiting[] = [];
  private active: { segment: Segment; handle: FileHandle } | null = null;
  private readonly ops = new SerialQueue();
  private committing = false;
  private commitTimer: NodeJS.Timeout | null = null;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  private readonly commitIntervalMs: number;
  private dropped = 0;
  private readonly maxEvents: number;
  private readonly segmentBytes: number;

  private constructor(
    readonly dir: string,
    private readonly log: Logger,
    options: SpoolOptions,
  ) {
    this.maxEvents = options.maxEvents ?? 100_000;
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    this.commitIntervalMs = options.commitIntervalMs ?? 5;
  }

  /** Opens (creating it if needed) the spool and reads back what an earlier run left. */
  static async open(dir: string, log: Logger, options: SpoolOptions = {}): Promise<Spool> {
    const spool = new Spool(dir, log, options);
    try {
      await mkdir(join(dir, REJECTED_DIR), { recursive: true, mode: 0o700 });
      await spool.load();
    } catch (err) {
      throw new AgentError(`cannot use the spool directory ${dir}: ${(err as Error).message}`, { dir }, err);
    }
    return spool;
  }

  /** Events waiting for the server, oldest first, including those still being written. */
  get size(): number {
    return this.entries.length + this.writing.length + this.waiting.length;
  }

  /**
   * Persists an event, which batch() offers at once; resolves once it is on disk (or, if the disk
   * failed, held in memory). False when the spool is full and the event was dropped.
   */
  append(event: AgentEvent): Promise<boolean> {
    if (this.entries.length + this.writing.length + this.waiting.length >= this.maxEvents) {
      if (this.dropped++ % 1000 === 0) {
        this.log.error({ dropped: this.dropped, max: this.maxEvents }, 'spool is full: the server has been unreachable too long; dropping new events');
      }
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      this.waiting.push({ event, done: () => resolve(true) });
      if (!this.committing) {
        this.committing = true;
        const wait = this.lastCommitAt + this.commitIntervalMs - performance.now();
        if (wait > 0) this.commitTimer = setTimeout(() => this.startCommit(), wait);
        else this.startCommit();
      }
    });
  }

  /** The oldest events, for one request: written ones first, then those being written. */
  batch(max: number): AgentEvent[] {
    const written = this.entries.slice(0, max).map((e) => e.event);
    return written.length >= max ? written : [...written, ...this.unwritten().slice(0, max - written.length)];
  }

  /** The server has these: forget them, and delete segments with nothing left. */
  ack(ids: readonly string[]): Promise<void> {
    return this.serial(() => this.remove(new Set(ids)));
  }

  /** The server will never take these: keep them under rejected/ and stop sending them. */
  reject(ids: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const set = new Set(ids);
      const lines = this.entries.filter((e) => set.has(e.event.id)).map((e) => `${JSON.stringify(e.event)}\n`);
      const path = join(this.dir, REJECTED_DIR, `${newRowId()}.jsonl`);
      const handle = await open(path, 'a', 0o600);
      try {
        await handle.write(lines.join(''));
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await this.remove(set);
    });
  }

  async close(): Promise<void> {
    // A write waiting for its turn goes now, before the file is closed.
    if (this.commitTimer) this.startCommit();
    await this.serial(async () => {
      await this.active?.handle.close();
      this.active = null;
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    return this.ops.run(op);
  }

  private unwritten(): AgentEvent[] {
    return [...this.writing, ...this.waiting].map((w) => w.event);
  }

  private startCommit(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    void this.serial(() => this.commit());
  }

  private async commit(): Promise<void> {
    this.lastCommitAt = performance.now();
    const batch = this.waiting;
    this.waiting = [];
    this.writing = batch;
    this.committing = false;
    let segment: Segment | null = null;
    try {
      segment = await this.write(batch.map((w) => `${JSON.stringify(w.event)}\n`).join(''), batch.length);
    } catch (err) {
      this.log.error({ err, dir: this.dir }, 'writing the spool failed; the events are held in memory only');
      await this.active?.handle.close().catch(() => undefined);
      this.active = null;
    }
    for (const w of batch) {
      this.entries.push({ event: w.event, segment });
      w.done();
    }
    this.writing = [];
  }

  private async write(text: string, count: number): Promise<Segment> {
    if (this.active && this.active.segment.bytes >= this.segmentBytes) {
      await this.active.handle.close();
      this.active = null;
    }
    if (!this.active) {
      const segment: Segment = { name: `${newRowId()}.jsonl`, remaining: 0, bytes: 0 };
      const handle = await open(join(this.dir, segment.name), 'a', 0o600);
      this.active = { segment, handle };
      await syncDirectory(this.dir);
    }
    const { segment, handle } = this.active;
    await handle.write(text);
    await handle.datasync();
    segment.bytes += Buffer.byteLength(text);
    segment.remaining += count;
    return segment;
  }

  private async remove(ids: Set<string>): Promise<void> {
    const touched = new Map<Segment, string[]>();
    this.entries = this.entries.filter((entry) => {
      if (!ids.has(entry.event.id)) return true;
      if (entry.segment) {
        entry.segment.remaining--;
        touched.set(entry.segment, [...(touched.get(entry.segment) ?? []), entry.event.id]);
      }
      return false;
    });
    for (const [segment, acked] of touched) {
      if (segment.remaining > 0) {
        // Not synced: losing the note only means sending these again, and the server drops repeats.
        await appendFile(join(this.dir, ackedName(segment.name)), acked.map((id) => `${id}\n`).join(''));
        continue;
      }
      if (this.active?.segment === segment) {
        await this.active.handle.close();
        this.active = null;
      }
      await unlink(join(this.dir, segment.name)).catch(() => undefined);
      await unlink(join(this.dir, ackedName(segment.name))).catch(() => undefined);
    }
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => SEGMENT.test(n)).sort();
    const seen = new Set<string>();
    let torn = 0;
    for (const name of names) {
      const segment: Segment = { name, remaining: 0, bytes: 0 };
      const acked = await readFile(join(this.dir, ackedName(name)), 'utf8').catch(() => '');
      for (const id of acked.split('\n')) seen.add(id);
      for (const line of (await readFile(join(this.dir, name), 'utf8')).split('\n')) {
        if (!line) continue;
        const event = parseEvent(line);
        // A line cut short by a crash mid-write was never acknowledged to anyone: skip it.
        if (!event) torn++;
        if (!event || seen.has(event.id)) continue;
        seen.add(event.id);
        segment.remaining++;
        this.entries.push({ event, segment });
      }
      if (segment.remaining === 0) {
        await unlink(join(this.dir, name));
        await unlink(join(this.dir, ackedName(name))).catch(() => undefined);
      }
    }
    if (this.entries.length > 0 || torn > 0) {
      this.log.info({ events: this.entries.length, unreadable: torn, dir: this.dir }, 'spooled events from an earlier run will be sent first');
    }
  }
}

const ackedName = (segment: string): string => segment.replace(/\.jsonl$/, '.acked');

function parseEvent(line: string): AgentEvent | null {
  try {
    const value = JSON.parse(line) as Partial<AgentEvent>;
    return typeof value?.id === 'string' && typeof value.tokenId === 'string' ? (value as AgentEvent) : null;
  } catch {
    return null;
  }
}

/** A new file's directory entry is durable only once the directory itself is synced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
