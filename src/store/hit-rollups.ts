import type { Transaction } from 'kysely';
import { PreparedQuery } from './prepared.js';
import type { Database } from './schema.js';

/** The hour a hit counts in: its ISO time cut after the hour. */
export function hourOf(at: string): string {
  return at.slice(0, 13);
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
  const perHour = new Map<string, { tokenId: string; hour: string; hits: number }>();
  for (const hit of hits) {
    const hour = hourOf(hit.at);
    const key = `${hit.tokenId}\n${hour}`;
    const entry = perHour.get(key);
    if (entry) entry.hits += 1;
    else perHour.set(key, { tokenId: hit.tokenId, hour, hits: 1 });
  }
  for (const key of [...perHour.keys()].sort()) await countHour.execute(trx, perHour.get(key)!);
}
