import type { Kysely, Transaction } from 'kysely';
import { plainCommit, type DurableCommit } from './durable-commit.js';
import { newRowId } from '../core/ids.js';
import { hitToRow, type Hit } from './repositories/hits.js';
import type { Database } from './schema.js';

/** A hit to store. The id is normally made here; a caller that has its own (an agent's event id)
 * passes it, so a resent event collides on the primary key instead of being stored twice. */
export type NewHit = Omit<Hit, 'id'> & { id?: string };

/**
 * Work that must commit in the same transaction as the hits it sees (the alert decision and its
 * outbox rows), so a hit is never stored without its alert or alerted without being stored.
 */
export type HitHook = (trx: Transaction<Database>, hits: Hit[]) => Promise<void>;

interface Pending {
  hit: Hit;
  resolve: (hit: Hit) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for hits. Callers await write(); hits that arrive while a transaction is in flight
 * join the next one, so a burst of N concurrent hits costs a few commits (and fsyncs), not N.
 * write() resolves only after the hit's transaction has committed.
 */
export class HitWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly hooks: HitHook[] = [];
  private idleWaiters: (() => void)[] = [];

  private readonly commitDurably: DurableCommit;
  private readonly maxBatch: number;

  /** Pass the store's durableCommit so commits never stall the event loop (SQLite). */
  constructor(db: Kysely<Database>, options: { durableCommit?: DurableCommit; maxBatch?: number } = {}) {
    this.commitDurably = options.durableCommit ?? plainCommit(db);
    this.maxBatch = options.maxBatch ?? 1000;
  }

  addHook(hook: HitHook): void {
    this.hooks.push(hook);
  }

  write(input: NewHit): Promise<Hit> {
    const hit: Hit = { ...input, id: input.id ?? newRowId() };
    return new Promise<Hit>((resolve, reject) => {
      this.queue.push({ hit, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the current turn of the event loop add its hits to this batch first.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves when nothing is queued or in flight (for orderly shutdown). */
  idle(): Promise<void> {
    if (!this.flushing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.commit(batch.map((p) => p.hit));
        for (const p of batch) p.resolve(p.hit);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
        } else {
          // One bad hit must not sink its neighbours: retry each on its own.
          for (const p of batch) {
            try {
              await this.commit([p.hit]);
              p.resolve(p.hit);
            } catch (single) {
              p.reject(single);
            }
          }
        }
      }
    }
    this.flushing = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async commit(hits: Hit[]): Promise<void> {
    await this.commitDurably(async (trx) => {
      await trx.insertInto('hits').values(hits.map(hitToRow)).execute();
      const perToken = new Map<string, { count: number; last: string }>();
      for (const hit of hits) {
        const entry = perToken.get(hit.tokenId) ?? { count: 0, last: hit.at };
        entry.count += 1;
        if (hit.at > entry.last) entry.last = hit.at;
        perToken.set(hit.tokenId, entry);
      }
      for (const [tokenId, { count, last }] of perToken) {
        await trx
          .updateTable('tokens')
          .set((eb) => ({
            hit_count: eb('hit_count', '+', count),
            last_hit_at: eb
              .case()
              .when('last_hit_at', 'is', null)
              .then(last)
              .when('last_hit_at', '<', last)
              .then(last)
              .else(eb.ref('last_hit_at'))
              .end(),
          }))
          .where('id', '=', tokenId)
          .execute();
      }
      for (const hook of this.hooks) await hook(trx, hits);
    });
  }
}
