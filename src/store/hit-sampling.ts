import type { Transaction } from 'kysely';
import { PreparedQuery } from './prepared.js';
import type { Hit } from './repositories/hits.js';
import type { Database } from './schema.js';

/** How a flood is stored: every hit counted, only some kept in full. */
export interface FloodSettings {
  /** Hits per token, source and minute kept in full before sampling starts. */
  threshold: number;
  /** Past the threshold, every this-many-th hit is kept in full (1 keeps them all). */
  sampleEvery: number;
}

export const FLOOD_DEFAULTS: FloodSettings = { threshold: 60, sampleEvery: 100 };

/**
 * Sources are the attacker's to choose (a UDP source address costs nothing to spoof), so past this
 * many times the threshold in a minute from any mix of sources the token is sampled as a whole.
 */
const TOKEN_CEILING_FACTOR = 10;

/** The minute a hit counts in: its ISO time cut after the minutes. */
export function minuteOf(at: string): string {
  return at.slice(0, 16);
}

const countMinute = new PreparedQuery((db, p: { tokenId: string; minute: string; hits: number }) =>
  db
    .insertInto('hit_counts')
    .values({ token_id: p.tokenId, minute: p.minute, hits: p.hits })
    .onConflict((oc) => oc.columns(['token_id', 'minute']).doUpdateSet((eb) => ({ hits: eb('hit_counts.hits', '+', eb.ref('excluded.hits')) })))
    .returning('hits'),
);

const countSource = new PreparedQuery((db, p: { tokenId: string; minute: string; source: string; hits: number }) =>
  db
    .insertInto('hit_source_counts')
    .values({ token_id: p.tokenId, minute: p.minute, source: p.source, hits: p.hits })
    .onConflict((oc) =>
      oc.columns(['token_id', 'minute', 'source']).doUpdateSet((eb) => ({ hits: eb('hit_source_counts.hits', '+', eb.ref('excluded.hits')) })),
    )
    .returning('hits'),
);

function keptAt(ordinal: number, threshold: number, every: number): boolean {
  return ordinal <= threshold || (ordinal - threshold) % every === 0;
}

/** Runs a counting upsert and returns how many hits its row held before this batch's. */
async function countBefore<P extends { hits: number }>(query: PreparedQuery<P, { hits: number }>, trx: Transaction<Database>, values: P): Promise<number> {
  const { rows } = await query.execute(trx, values);
  return Number(rows[0]!.hits) - values.hits;
}

/**
 * Counts a batch's hits per token and minute (and per source while the token is below its ceiling)
 * and returns the ones to keep in full, in batch order. Runs in the hits' transaction: the counting
 * rows are locked until commit, so batches on several servers number their hits without gaps.
 */
export async function countAndSample(trx: Transaction<Database>, hits: Hit[], settings: FloodSettings): Promise<Hit[]> {
  const { threshold, sampleEvery } = settings;
  const ceiling = threshold * TOKEN_CEILING_FACTOR;
  const byMinute = new Map<string, Hit[]>();
  for (const hit of hits) {
    const key = `${hit.tokenId}\n${minuteOf(hit.at)}`;
    const group = byMinute.get(key);
    if (group) group.push(hit);
    else byMinute.set(key, [hit]);
  }
  const kept: Hit[] = [];
  // Sorted, so two servers' transactions take the counting rows' locks in the same order.
  for (const key of [...byMinute.keys()].sort()) {
    const group = byMinute.get(key)!;
    const tokenId = group[0]!.tokenId;
    const minute = minuteOf(group[0]!.at);
    let tokenOrdinal = await countBefore(countMinute, trx, { tokenId, minute, hits: group.length });
    const belowCeiling = group.slice(0, Math.max(0, ceiling - tokenOrdinal));
    const sourceOrdinals = new Map<string, number>();
    for (const hit of belowCeiling) sourceOrdinals.set(hit.source, (sourceOrdinals.get(hit.source) ?? 0) + 1);
    for (const source of [...sourceOrdinals.keys()].sort()) {
      sourceOrdinals.set(source, await countBefore(countSource, trx, { tokenId, minute, source, hits: sourceOrdinals.get(source)! }));
    }
    for (const hit of group) {
      tokenOrdinal += 1;
      if (tokenOrdinal <= ceiling) {
        const ordinal = sourceOrdinals.get(hit.source)! + 1;
        sourceOrdinals.set(hit.source, ordinal);
        if (keptAt(ordinal, threshold, sampleEvery)) kept.push(hit);
      } else if ((tokenOrdinal - ceiling) % sampleEvery === 0) {
        kept.push(hit);
      }
    }
  }
  return kept;
}
