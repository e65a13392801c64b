/**
 * Sends spooled events to the server. One request at a time: when idle an event goes out at
 * once (detection latency), and what accumulates while a request is in flight goes in the next
 * batch. Under a storm requests leave at most every `minIntervalMs` (5 ms): one request of many
 * events costs the agent, the server and the machine they may share far less than many of one
 * or two, and an event waits that long at most. Failures back off and retry; nothing leaves the
 * spool without the server's 200.
 */
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../core/backoff.js';
import type { AgentEvent } from '../../core/agent-protocol.js';
import { AgentApiError, type AgentApi } from './agent-api.js';
import type { Spool } from './spool.js';

export interface ReporterOptions {
  batchMax?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Least time between the starts of two requests. Default 5 ms. */
  minIntervalMs?: number;
  /** Awaited before each batch goes out (the daemon's: a heartbeat naming its tokens first). */
  beforeSend?: (batch: AgentEvent[]) => Promise<void>;
}

export class Reporter {
  private running: Promise<void> | null = null;
  private readonly backoff: Backoff;
  private readonly batchMax: number;
  private readonly stopping = new AbortController();
  /** Failure streak being logged, so a long outage logs once, not once a retry. */
  private failing: string | null = null;
  private delivered = 0;
  private readonly beforeSend: (batch: AgentEvent[]) => Promise<void>;
  private readonly minIntervalMs: number;
  private lastSendAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly api: AgentApi,
    private readonly spool: Spool,
    private readonly log: Logger,
    options: ReporterOptions = {},
  ) {
    this.batchMax = options.batchMax ?? 500;
    this.minIntervalMs = options.minIntervalMs ?? 5;
    this.beforeSend = options.beforeSend ?? (() => Promise.resolve());
    this.backoff = new Backoff(options.retryBaseMs ?? 250, options.retryMaxMs ?? 30_000);
  }

  /** Spools the event and makes sure a send is under way, without waiting for the disk;
   * resolves once the event is on disk (or dropped by a full spool). */
  async submit(event: AgentEvent): Promise<void> {
    const stored = this.spool.append(event);
    this.kick();
    await stored;
  }

  /** Starts sending what the spool holds (events of an earlier run, for one). */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    this.running ??= this.loop().finally(() => {
      this.running = null;
      // Events spooled between the last batch and the end of the loop.
      if (this.spool.size > 0 && !this.stopping.signal.aborted) this.kick();
    });
  }

  /** Events confirmed by the server since start. */
  get confirmed(): number {
    return this.delivered;
  }

  /** Stops retrying; waits up to `graceMs` for the request in flight. Spooled events stay. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping.abort();
    if (this.running) await Promise.race([this.running, sleep(graceMs)]);
  }

  private async loop(): Promise<void> {
    while (this.spool.size > 0 && !this.stopping.signal.aborted) {
      const wait = this.lastSendAt + this.minIntervalMs - performance.now();
      if (wait > 0) await sleep(wait, this.stopping.signal);
      if (this.stopping.signal.aborted) break;
      this.lastSendAt = performance.now();
      const batch = this.spool.batch(this.batchMax);
      await this.beforeSend(batch);
      const outcome = await this.send(batch).catch((err: unknown) => {
        // The spool's own files failed (disk full?): the events stay; try again later.
        this.log.error({ err, dir: this.spool.dir }, 'reporting failed locally; will retry');
        return 'retry' as const;
      });
      if (outcome === 'retry') await sleep(this.backoff.next(), this.stopping.signal);
    }
  }

  private async send(batch: AgentEvent[]): Promise<'sent' | 'retry'> {
    const ids = batch.map((e) => e.id);
    try {
      const answer = await this.api.postEvents(batch);
      await this.spool.ack(ids);
      this.delivered += batch.length;
      this.recovered();
      this.log.debug({ events: batch.length, ...answer }, 'events delivered');
      return 'sent';
    } catch (err) {
      if (!(err instanceof AgentApiError)) throw err;
      if (err.rejected && batch.length > 1) {
        // One bad event must not take the batch down with it: find it by sending them singly.
        for (const single of batch) if ((await this.send([single])) === 'retry') return 'retry';
        return 'sent';
      }
      if (err.rejected) {
        await this.spool.reject(ids);
        this.log.error(
          { events: batch.length, status: err.httpStatus, reason: err.message, dir: this.spool.dir },
          'the server rejected an event; it was moved to the rejected/ spool folder and will not be retried',
        );
        return 'sent';
      }
      this.failed(err);
      return 'retry';
    }
  }

  private failed(err: AgentApiError): void {
    const kind = err.httpStatus === 401 || err.httpStatus === 403 ? 'auth' : String(err.httpStatus);
    if (this.failing === kind) return;
    this.failing = kind;
    const advice =
      kind === 'auth' ? 'the agent key is not accepted: check --agent-key (enroll the agent again?)' : 'will retry with backoff; events stay spooled';
    this.log.error(
      { server: this.api.server, status: err.httpStatus, reason: err.message, spooled: this.spool.size },
      `reporting to the server failed: ${advice}`,
    );
  }

  private recovered(): void {
    this.backoff.reset();
    if (this.failing === null) return;
    this.failing = null;
    this.log.info({ server: this.api.server, spooled: this.spool.size }, 'reporting to the server works again');
  }
}
