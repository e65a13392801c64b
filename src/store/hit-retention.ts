import type { Kysely } from 'kysely';
import { minuteOf } from './hit-sampling.js';
import type { Database } from './schema.js';

export interface HitRetentionOptions {
  /** Hit details older than this are dropped (counts stay); undefined keeps them forever. */
  retentionMs?: number;
  /** How often the pass runs. */
  intervalMs?: number;
  /** Rows deleted per transaction, so a pass never holds the store for long. */
  batchSize?: number;
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  clock?: () => number;
  onError?: (error: unknown) => void;
}

const HOUR_MS = 3_600_000;
/** Sampling only looks at the current minute; an hour leaves room for late and skewed clocks. */
const SOURCE_COUNTS_KEPT_MS = HOUR_MS;

/**
 * The scheduled clean-up of what floods and time leave behind: hit details past the retention
 * (the exact counts in tokens and hit_counts stay), the per-source sampling bookkeeping of past
 * minutes, and the keys remembered by digest alerts whose window is long over.
 */
export class HitRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly clock: () => number;
  private readonly batchSize: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: HitRetentionOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.batchSize = options.batchSize ?? 500;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.options.intervalMs ?? HOUR_MS);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; resolves with the number of hit details dropped. */
  async runOnce(): Promise<number> {
    const now = this.clock();
    await this.db
      .deleteFrom('hit_source_counts')
      .where('minute', '<', minuteOf(new Date(now - SOURCE_COUNTS_KEPT_MS).toISOString()))
      .execute();
    const over = new Date(now - HOUR_MS).toISOString();
    await this.db
      .deleteFrom('alert_folded_keys')
      .where('alert_id', 'in', (eb) =>
        eb
          .selectFrom('alerts')
          .select('id')
          .where('window_end', '<', over)
          .where('id', 'in', (inner) => inner.selectFrom('alert_folded_keys').select('alert_id')),
      )
      .execute();
    if (this.options.retentionMs === undefined) return 0;
    return this.dropDetails(new Date(now - this.options.retentionMs).toISOString());
  }

  /** Token by token, so each batch is found through the (token_id, at) index rather than a scan. */
  private async dropDetails(before: string): Promise<number> {
    let dropped = 0;
    let after = '';
    for (;;) {
      const tokens = await this.db.selectFrom('tokens').select('id').where('id', '>', after).orderBy('id').limit(this.batchSize).execute();
      if (tokens.length === 0) return dropped;
      for (const { id } of tokens) dropped += await this.dropForToken(id, before);
      after = tokens[tokens.length - 1]!.id;
    }
  }

  private async dropForToken(tokenId: string, before: string): Promise<number> {
    let dropped = 0;
    for (;;) {
      const ids = await this.db
        .selectFrom('hits')
        .select('id')
        .where('token_id', '=', tokenId)
        .where('at', '<', before)
        .orderBy('at')
        .limit(this.batchSize)
        .execute();
      if (ids.length === 0) return dropped;
      const deleted = await this.db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom('hits')
          .where(
            'id',
            'in',
            ids.map((row) => row.id),
          )
          .executeTakeFirst();
        const n = Number(result.numDeletedRows);
        await trx
          .updateTable('tokens')
          .set((eb) => ({ hits_kept: eb('hits_kept', '-', n) }))
          .where('id', '=', tokenId)
          .execute();
        return n;
      });
      dropped += deleted;
      // Let the hits waiting on the store go first.
      await new Promise((resolve) => setImmediate(resolve));
      if (ids.length < this.batchSize) return dropped;
    }
  }
}
