import type { Kysely, Transaction } from 'kysely';
import { hourOf } from './hit-rollups.js';
import { minuteOf } from './hit-sampling.js';
import { hitToRow, type Hit } from './repositories/hits.js';
import type { Database } from './schema.js';

/** Rows per statement: well under both dialects' limits on parameters per statement. */
const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) out.push(items.slice(start, start + ROWS_PER_STATEMENT));
  return out;
}

function tally<K extends string>(hits: Hit[], key: (hit: Hit) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const hit of hits) counts.set(key(hit), (counts.get(key(hit)) ?? 0) + 1);
  return counts;
}

/**
 * Stores hits of tokens that already exist in one transaction, many rows a statement, with the
 * counts the hit path keeps (per token, minute and hour, and on the token) moved by the same
 * amounts. For imports and for building large stores to measure: no alert is decided and no
 * flood sampling applies (every hit is kept in full), so it is not the path live hits take.
 */
export async function bulkLoadHits(db: Kysely<Database>, hits: Hit[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const chunk of chunks(hits)) await trx.insertInto('hits').values(chunk.map(hitToRow)).execute();
    await addMinutes(trx, hits);
    await addHours(trx, hits);
    await addToTokens(trx, hits);
  });
}

async function addMinutes(trx: Transaction<Database>, hits: Hit[]): Promise<void> {
  const rows = [...tally(hits, (hit) => `${hit.tokenId}\n${minuteOf(hit.at)}`)].map(([key, n]) => {
    const [tokenId, minute] = key.split('\n') as [string, string];
    return { token_id: tokenId, minute, hits: n, kept: n, sources: 0 };
  });
  for (const chunk of chunks(rows)) {
    await trx
      .insertInto('hit_counts')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['token_id', 'minute']).doUpdateSet((eb) => ({
          hits: eb('hit_counts.hits', '+', eb.ref('excluded.hits')),
          kept: eb('hit_counts.kept', '+', eb.ref('excluded.kept')),
        })),
      )
      .execute();
  }
}

async function addHours(trx: Transaction<Database>, hits: Hit[]): Promise<void> {
  const rows = [...tally(hits, (hit) => `${hit.tokenId}\n${hourOf(hit.at)}`)].map(([key, n]) => {
    const [tokenId, hour] = key.split('\n') as [string, string];
    return { token_id: tokenId, hour, hits: n };
  });
  for (const chunk of chunks(rows)) {
    await trx
      .insertInto('hit_hours')
      .values(chunk)
      .onConflict((oc) => oc.columns(['token_id', 'hour']).doUpdateSet((eb) => ({ hits: eb('hit_hours.hits', '+', eb.ref('excluded.hits')) })))
      .execute();
  }
}

async function addToTokens(trx: Transaction<Database>, hits: Hit[]): Promise<void> {
  const perToken = new Map<string, { count: number; last: string }>();
  for (const hit of hits) {
    const entry = perToken.get(hit.tokenId);
    if (!entry) perToken.set(hit.tokenId, { count: 1, last: hit.at });
    else {
      entry.count += 1;
      if (hit.at > entry.last) entry.last = hit.at;
    }
  }
  for (const [tokenId, { count, last }] of perToken) {
    await trx
      .updateTable('tokens')
      .set((eb) => ({
        hit_count: eb('hit_count', '+', count),
        hits_kept: eb('hits_kept', '+', count),
        last_hit_at: eb.case().when('last_hit_at', 'is', null).then(last).when('last_hit_at', '<', last).then(last).else(eb.ref('last_hit_at')).end(),
      }))
      .where('id', '=', tokenId)
      .execute();
  }
}
