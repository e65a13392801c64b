import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { newRowId } from '../core/ids.js';
import type { Store } from '../store/connect.js';
import { AlertRepository } from '../store/repositories/alerts.js';
import { ChannelRepository } from '../store/repositories/channels.js';
import type { Outbox, OutboxWatch } from '../store/outbox.js';
import type { Delivery } from '../store/repositories/deliveries.js';
import { HitRepository } from '../store/repositories/hits.js';
import { retryDelayMs } from '../core/backoff.js';
import type { SendResult } from './channels/kind.js';
import { channelKind } from './channels/registry.js';
import { composeDelivery } from './delivery-message.js';
import { oneLine } from './escape.js';
import { NO_ALERT_METRICS, type AlertMetrics } from './metrics.js';
import { claimLeaseMs, type AlertSettings } from './settings.js';

export interface DispatcherOptions {
  store: Store;
  /** The outbox to send; it also tells this dispatcher when rows became due. */
  outbox: Outbox;
  settings: AlertSettings;
  log: Logger;
  metrics?: AlertMetrics;
  /** The server's public URL, read at send time (it may be known only after listen). */
  publicUrl: () => string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Sends the outbox. Claims due rows in batches up to its concurrency, sends each with a timeout,
 * and settles it: delivered, retry later (exponential backoff with jitter, or the receiver's
 * Retry-After), or dead once its give-up time has passed. Woken at once by new rows (in-process on
 * SQLite, by NOTIFY on PostgreSQL) and by a poll for retries that came due.
 */
export class Dispatcher {
  /** Names this process in claims, so the API shows who holds a row that is being sent. */
  readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly outbox: Outbox;
  private readonly alerts: AlertRepository;
  private readonly hits: HitRepository;
  private readonly channels: ChannelRepository;
  private readonly metrics: AlertMetrics;
  private watch: OutboxWatch | undefined;
  private running = false;
  /** The claim cycle in progress, if any (stop() waits for it). */
  private cycling: Promise<void> | undefined;
  private wokenDuringCycle = false;
  /** True when the last claim filled every free slot, so more rows may be waiting. */
  private saturated = false;
  private inFlight = 0;
  private readonly drained: (() => void)[] = [];
  private poll: NodeJS.Timeout | undefined;

  constructor(private readonly options: DispatcherOptions) {
    const { db } = options.store;
    this.outbox = options.outbox;
    this.alerts = new AlertRepository(db);
    this.hits = new HitRepository(db);
    this.channels = new ChannelRepository(db);
    this.metrics = options.metrics ?? NO_ALERT_METRICS;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.poll = setInterval(() => this.wake(), this.options.settings.pollMs);
    this.watch = this.options.outbox.watch(() => this.wake());
    this.wake();
  }

  /** Stops claiming and waits (bounded) for the claim cycle and the attempts in flight to settle. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.poll);
    await this.watch?.stop();
    this.watch = undefined;
    await this.cycling;
    if (this.inFlight > 0) {
      const limit = claimLeaseMs(this.options.settings);
      await Promise.race([new Promise<void>((resolve) => this.drained.push(resolve)), new Promise<void>((resolve) => setTimeout(resolve, limit).unref())]);
    }
  }

  /** Looks for due rows now. Cheap to call often: calls during a claim cycle merge into one more pass. */
  wake(): void {
    if (!this.running) return;
    if (this.cycling) {
      this.wokenDuringCycle = true;
      return;
    }
    this.cycling = this.cycle().finally(() => {
      this.cycling = undefined;
    });
  }

  private async cycle(): Promise<void> {
    try {
      do {
        this.wokenDuringCycle = false;
        await this.claimWhileRoom();
      } while (this.wokenDuringCycle && this.running);
    } catch (error) {
      this.options.log.error({ err: error }, 'could not claim deliveries from the outbox; will try again');
    }
  }

  private async claimWhileRoom(): Promise<void> {
    const { concurrency } = this.options.settings;
    while (this.running && this.inFlight < concurrency) {
      const room = concurrency - this.inFlight;
      const now = Date.now();
      const claimed = await this.outbox.claim(room, iso(now), iso(now + claimLeaseMs(this.options.settings)), newRowId(now), this.processId);
      this.saturated = claimed.length === room;
      if (claimed.length === 0) return;
      // A digest reports its window's final count: close the window before reading the count.
      const digests = claimed.filter((d) => d.purpose === 'digest').map((d) => d.alertId);
      await this.alerts.close([...new Set(digests)], iso(now));
      for (const delivery of claimed) {
        this.inFlight++;
        void this.attempt(delivery).finally(() => {
          this.inFlight--;
          if (this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
          if (this.saturated) this.wake();
        });
      }
      if (!this.saturated) return;
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    let result: SendResult;
    try {
      const composed = await composeDelivery(delivery, { alerts: this.alerts, hits: this.hits, channels: this.channels }, this.options.publicUrl());
      if ('problem' in composed) {
        await this.settleUnsendable(delivery, composed.problem);
        return;
      }
      result = await channelKind(composed.channel.kind).send(composed.message, composed.channel.config, {
        timeoutMs: this.options.settings.timeoutMs,
        smtp: this.options.settings.smtp,
        allowPrivateTargets: this.options.settings.allowPrivateTargets,
        log: this.options.log,
      });
    } catch (error) {
      result = { ok: false, status: null, error: oneLine(`could not send: ${(error as Error).message ?? String(error)}`, 300) };
    }
    try {
      await this.settle(delivery, result);
    } catch (error) {
      // The claim's lease runs out and the row comes back to be tried again: nothing is lost.
      this.options.log.error({ err: error, delivery: delivery.id }, 'could not record a delivery attempt; it will be retried after its claim lapses');
    }
  }

  private async settle(delivery: Delivery, result: SendResult): Promise<void> {
    const claim = delivery.claimId!;
    const nowMs = Date.now();
    const now = iso(nowMs);
    const attempt = { status: result.status, error: result.ok ? null : result.error };
    const context = {
      delivery: delivery.id,
      alert: delivery.alertId,
      channel: delivery.channelId,
      kind: delivery.channelKind,
      attempts: delivery.attempts,
      ...(!result.ok && result.detail ? { answer: result.detail } : {}),
    };
    if (result.ok) {
      await this.outbox.markDelivered(delivery.id, claim, attempt, now);
      this.metrics.deliveryAttempt(delivery.channelKind, 'delivered');
      return;
    }
    const giveUpMs = Date.parse(delivery.giveUpAt);
    if (nowMs >= giveUpMs || result.permanent) {
      await this.outbox.markDead(delivery.id, claim, attempt, now);
      this.metrics.deliveryAttempt(delivery.channelKind, 'dead');
      const why = result.permanent ? 'the receiver refused the request itself, so no retry can help' : 'delivery given up after its maximum age';
      this.options.log.error({ ...context, error: result.error }, `${why}; it is listed as dead and can be retried`);
      return;
    }
    const { backoffBaseMs, backoffMaxMs } = this.options.settings;
    const delay = result.retryAfterMs ?? retryDelayMs(delivery.attempts, backoffBaseMs, backoffMaxMs);
    // The last try happens at the give-up time rather than never.
    const next = Math.min(nowMs + delay, giveUpMs);
    await this.outbox.markRetry(delivery.id, claim, attempt, iso(next), now);
    this.metrics.deliveryAttempt(delivery.channelKind, 'retry');
    this.options.log.warn({ ...context, error: result.error, retryAt: iso(next) }, 'delivery failed; will retry');
  }

  /** Nothing to send to (channel or alert gone): no retry can help, so the row goes dead at once. */
  private async settleUnsendable(delivery: Delivery, problem: string): Promise<void> {
    await this.outbox.markDead(delivery.id, delivery.claimId!, { status: null, error: problem }, iso(Date.now()));
    this.metrics.deliveryAttempt(delivery.channelKind, 'dead');
    this.options.log.warn({ delivery: delivery.id, problem }, 'delivery cannot be sent');
  }
}
