/**
 * Tells the server the agent is alive and what it watches: on a fixed interval, and right away
 * when the policies change, so the dashboard shows a broken policy file without waiting.
 */
import type { Logger } from 'pino';
import { reportedTokenIds, type Heartbeat } from '../../core/agent-protocol.js';
import type { AgentApi } from './agent-api.js';

export class HeartbeatSender {
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private again = false;
  private failing = false;
  /** Tokens named by the last heartbeat the server took: the ones it takes events for. */
  private reported = new Set<string>();

  constructor(
    private readonly api: AgentApi,
    private readonly status: () => Heartbeat,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /** What the server answered (the base of its trigger URLs, own-trigger.ts). */
    private readonly onAnswer?: (answer: unknown) => void,
    /** The tokens the server takes events for now, after each heartbeat it took. */
    private readonly onReported?: (tokenIds: string[]) => void,
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

  /**
   * Resolves once the server has taken a heartbeat naming every one of these tokens, or once the
   * heartbeat sent to tell it has failed. The server refuses events for tokens no policy in the
   * agent's last heartbeat names, so the first event of a policy loaded a moment ago waits here.
   */
  async covering(tokenIds: Iterable<string>): Promise<void> {
    const missing = () => [...tokenIds].some((id) => !this.reported.has(id.toLowerCase()));
    if (!missing()) return;
    this.now();
    // The request in flight may carry the status from before the change; its follow-up has it.
    for (let round = 0; round < 2 && this.sending && missing(); round++) await this.sending;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.again = false;
    await this.sending;
  }

  /** Stops, then sends one last heartbeat (the caller's status says it is stopping); once, never retried. */
  async last(): Promise<void> {
    await this.stop();
    await this.send();
  }

  private async send(): Promise<void> {
    try {
      const status = this.status();
      const answer = await this.api.heartbeat(status);
      this.onAnswer?.(answer);
      this.reported = reportedTokenIds(status);
      this.onReported?.([...this.reported]);
      if (this.failing) this.log.info({ server: this.api.server }, 'heartbeat delivered again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn({ server: this.api.server, reason: (err as Error).message }, 'heartbeat failed; will keep trying');
      this.failing = true;
    }
  }
}
