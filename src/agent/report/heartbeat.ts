/**
 * Tells the server the agent is alive and what it watches: on a fixed interval, and right away
 * when the policies change, so the dashboard shows a broken policy file without waiting.
 */
import type { Logger } from 'pino';
import type { Heartbeat } from '../../core/agent-protocol.js';
import type { AgentApi } from './agent-api.js';

export class HeartbeatSender {
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private again = false;
  private failing = false;

  constructor(
    private readonly api: AgentApi,
    private readonly status: () => Heartbeat,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.now();
    this.timer = setInterval(() => this.now(), this.intervalMs);
    this.timer.unref();
  }

  /** Sends now; a request already in flight is followed by one more with the newest status. */
  now(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.send().finally(() => {
      this.sending = null;
      if (this.again) {
        this.again = false;
        this.now();
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.again = false;
    await this.sending;
  }

  private async send(): Promise<void> {
    try {
      await this.api.heartbeat(this.status());
      if (this.failing) this.log.info({ server: this.api.server }, 'heartbeat delivered again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn({ server: this.api.server, reason: (err as Error).message }, 'heartbeat failed; will keep trying');
      this.failing = true;
    }
  }
}
