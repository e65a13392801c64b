import type { Transaction } from 'kysely';
import { groupByTokenAndPeriod } from '../core/group-runs.js';
import { PreparedQuery } from './prepared.js';
import type { Database } from './schema.js';

const HOUR_LENGTH = 13;

/** The hour a hit counts in: its ISO time cut after the hour. */
export function hourOf(at: string): string {
  return at.slice(0, HOUR_LENGTH);
}

const countHour = new PreparedQuery((db, p: { tokenId: string; hour: string; hits: number }) =>
  db
    .insertInto('hit_hours')
    .values({ token_id: p.tokenId, hour: p.hour, hits: p.hits })
    .onConflict((oc) => oc.columns(['token_id', 'hour']).doUpdateSet((eb) => ({ hits: eb('hit_hours.hits', '+', eb.ref('excluded.hits')) }))),
);

/**
 * Adds a batch's hits to their tokens' hourly counts, in the hits' transaction, so a chart never
 * counts hits one by one. Every hit counts, kept in full or not. Rows are taken in sorted order,
 * after the per-minute ones, so concurrent batches (several servers) lock them in the same order.
 */
export async function countHours(trx: Transaction<Database>, hits: readonly { tokenId: string; at: string }[]): Promise<void> {
  const perHour = groupByTokenAndPeriod(hits, HOUR_LENGTH);
  for (const key of [...perHour.keys()].sort()) {
    const group = perHour.get(key)!;
    await countHour.execute(trx, { tokenId: group[0]!.tokenId, hour: hourOf(group[0]!.at), hits: group.length });
  }
}
