/**
 * GetUrl and DnsLookup, run off the event path. Tetragon fires them inline and forgets them; here
 * they wait in a bounded queue, run a few at a time with a timeout each, and are retried with
 * backoff, so a slow or unreachable canary URL never delays a verdict nor the next event, and a
 * flood of accesses cannot grow memory without end.
 */
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../core/backoff.js';

export interface OutboundTask {
  kind: 'geturl' | 'dnslookup';
  /** The URL or the name to look up. */
  target: string;
  policy: string;
}

/** Performs one attempt; throws when it should be retried. */
export type Perform = (task: OutboundTask, signal: AbortSignal) => Promise<void>;

export interface OutboundOptions {
  perform: Record<OutboundTask['kind'], Perform>;
  log: Logger;
  concurrency?: number;
  /** Tasks waiting beyond this are dropped (and logged). */
  maxQueued?: number;
  timeoutMs?: number;
  /** Attempts per task, the first included. */
  attempts?: number;
  retryBaseMs?: number;
}

export class OutboundActions {
  private readonly queue: OutboundTask[] = [];
  private running = 0;
  private dropped = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly stopping = new AbortController();
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly retryBaseMs: number;

  constructor(private readonly options: OutboundOptions) {
    this.concurrency = options.concurrency ?? 4;
    this.maxQueued = options.maxQueued ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.attempts = options.attempts ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 500;
  }

  /** Queues a task; false when the queue is full or the agent is stopping. */
  enqueue(task: OutboundTask): boolean {
    if (this.stopping.signal.aborted) return false;
    if (this.queue.length >= this.maxQueued) {
      if (this.dropped++ % 100 === 0) {
        this.options.log.error({ ...task, dropped: this.dropped }, `${task.kind} queue is full (${this.maxQueued}); dropping`);
      }
      return false;
    }
    this.queue.push(task);
    this.pump();
    return true;
  }

  get pending(): number {
    return this.queue.length + this.running;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops retrying and drops what waits; running attempts are aborted. */
  stop(): void {
    this.stopping.abort();
    this.queue.length = 0;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      void this.run(task).finally(() => {
        this.running--;
        this.pump();
        if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async run(task: OutboundTask): Promise<void> {
    const backoff = new Backoff(this.retryBaseMs, 30_000);
    const { log } = this.options;
    for (let attempt = 1; attempt <= this.attempts && !this.stopping.signal.aborted; attempt++) {
      const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.timeoutMs)]);
      try {
        await this.options.perform[task.kind](task, signal);
        log.debug({ ...task, attempt }, `${task.kind} done`);
        return;
      } catch (err) {
        const reason = (err as Error).message;
        if (attempt === this.attempts) {
          log.error({ ...task, attempts: attempt, reason }, `${task.kind} failed; giving up`);
          return;
        }
        log.warn({ ...task, attempt, reason }, `${task.kind} failed; retrying`);
        await sleep(backoff.next(), this.stopping.signal);
      }
    }
  }
}
