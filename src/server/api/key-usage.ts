import type { Logger } from 'pino';
import { isoNow } from '../../core/time.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { ApiKeyRepository } from '../../store/repositories/api-keys.js';

/** How often last-used times reach the store: each key is written at most once per interval. */
export const KEY_USAGE_FLUSH_MS = 60_000;

/**
 * Remembers when each key was last used and writes those times in one batch a minute (and on
 * close), instead of a store write on every authenticated request: an agent or a dashboard would
 * otherwise turn each read into a write, competing with hits for the store.
 */
export class KeyUsage {
  private pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly flushes = new SerialQueue();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly log: Logger,
    private readonly intervalMs = KEY_USAGE_FLUSH_MS,
  ) {}

  used(keyId: string): void {
    this.pending.set(keyId, isoNow());
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending now; a failed write keeps the times for the next one. */
  flush(): Promise<void> {
    return this.flushes.run(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.keys.recordUse(batch);
      } catch (error) {
        this.log.warn({ err: error, keys: batch.size }, 'could not store when API keys were last used; trying again later');
        // Uses seen since are later and win.
        for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      }
    });
  }

  /** Stops the timer and writes the last times: called at shutdown, before the store closes. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
