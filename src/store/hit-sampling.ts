import type { Transaction } from 'kysely';
import { groupByTokenAndPeriod } from '../core/group-runs.js';
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
 * Sources are the attacker's to choose (a UDP source address costs nothing to spoof, a botnet has
 * thousands), so per token and minute at most this many sources are tracked, and once this many
 * times the threshold are kept in full, every further hit is sampled whatever its source.
 */
const TRACKED_SOURCES = 1000;
const KEPT_CEILING_FACTOR = 10;

const MINUTE_LENGTH = 16;

/** The minute a hit counts in: its ISO time cut after the minutes. */
export function minuteOf(at: string): string {
  return at.slice(0, MINUTE_LENGTH);
}

const countMinute = new PreparedQuery((db, p: { tokenId: string; minute: string; hits: number }) =>
  db
    .insertInto('hit_counts')
    .values({ token_id: p.tokenId, minute: p.minute, hits: p.hits, kept: 0, sources: 0 })
    .onConflict((oc) => oc.columns(['token_id', 'minute']).doUpdateSet((eb) => ({ hits: eb('hit_counts.hits', '+', eb.ref('excluded.hits')) })))
    .returning(['hits', 'kept', 'sources']),
);

const noteMinute = new PreparedQuery((db, p: { tokenId: string; minute: string; kept: number; sources: number }) =>
  db
    .updateTable('hit_counts')
    .set((eb) => ({ kept: eb('kept', '+', p.kept), sources: eb('sources', '+', p.sources) }))
    .where('token_id', '=', p.tokenId)
    .where('minute', '=', p.minute),
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

/** Counts a source already tracked, without adding a row for a new one. */
const countTrackedSource = new PreparedQuery((db, p: { tokenId: string; minute: string; source: string; hits: number }) =>
  db
    .updateTable('hit_source_counts')
    .set((eb) => ({ hits: eb('hits', '+', p.hits) }))
    .where('token_id', '=', p.tokenId)
    .where('minute', '=', p.minute)
    .where('source', '=', p.source)
    .returning('hits'),
);

/**
 * Counts every source of a group in one statement (a botnet's flood brings hundreds a batch, and
 * each statement is a round trip on PostgreSQL); returns each source's total after it. Rows are
 * written in source order, so two servers' batches take their locks in the same order.
 */
async function countSources(trx: Transaction<Database>, tokenId: string, minute: string, perSource: Map<string, number>): Promise<Map<string, number>> {
  const rows = [...perSource.keys()].sort().map((source) => ({ token_id: tokenId, minute, source, hits: perSource.get(source)! }));
  const totals = await trx
    .insertInto('hit_source_counts')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['token_id', 'minute', 'source']).doUpdateSet((eb) => ({ hits: eb('hit_source_counts.hits', '+', eb.ref('excluded.hits')) })),
    )
    .returning(['source', 'hits'])
    .execute();
  return new Map(totals.map((row) => [row.source, Number(row.hits)]));
}

/**
 * Counts a batch's hits per token and minute (and per source, for the sources tracked) and returns
 * the ones to keep in full, in batch order: per source the first `threshold` of the minute, then
 * one in every `sampleEvery`; hits for which `always` holds are kept whatever the count. Runs in
 * the hits' transaction, whose row locks on the counts make batches on several servers number
 * their hits without gaps or repeats.
 */
export async function countAndSample(
  trx: Transaction<Database>,
  hits: Hit[],
  settings: FloodSettings,
  always: (hit: Hit) => boolean = () => false,
): Promise<Hit[]> {
  const byMinute = groupByTokenAndPeriod(hits, MINUTE_LENGTH);
  const kept: Hit[] = [];
  // Sorted, so two servers' transactions take the counting rows' locks in the same order.
  for (const key of [...byMinute.keys()].sort()) kept.push(...(await sampleMinute(trx, byMinute.get(key)!, settings, always)));
  return kept;
}

async function sampleMinute(
  trx: Transaction<Database>,
  group: Hit[],
  { threshold, sampleEvery }: FloodSettings,
  always: (hit: Hit) => boolean,
): Promise<Hit[]> {
  const tokenId = group[0]!.tokenId;
  const minute = minuteOf(group[0]!.at);
  const { rows } = await countMinute.execute(trx, { tokenId, minute, hits: group.length });
  const before = rows[0]!;
  let tokenOrdinal = Number(before.hits) - group.length;
  let keptSoFar = Number(before.kept);

  const perSource = new Map<string, number>();
  // Indexed loops over the hits here and below: in this async function a for...of made an
  // iterator result object per hit.
  for (let i = 0; i < group.length; i++) {
    const source = group[i]!.source;
    perSource.set(source, (perSource.get(source) ?? 0) + 1);
  }
  /** Hits each tracked source had before this batch; an untracked source has no entry. */
  const sourceOrdinals = new Map<string, number>();
  let newSources = 0;
  if (perSource.size > 1 && Number(before.sources) + perSource.size <= TRACKED_SOURCES) {
    // Every source fits under the tracking limit, whichever of them are new: one statement.
    for (const [source, total] of await countSources(trx, tokenId, minute, perSource)) {
      const n = perSource.get(source)!;
      if (total === n) newSources += 1;
      sourceOrdinals.set(source, total - n);
    }
  } else
    for (const source of [...perSource.keys()].sort()) {
      const n = perSource.get(source)!;
      const values = { tokenId, minute, source, hits: n };
      if (Number(before.sources) + newSources < TRACKED_SOURCES) {
        const total = Number((await countSource.execute(trx, values)).rows[0]!.hits);
        if (total === n) newSources += 1;
        sourceOrdinals.set(source, total - n);
      } else {
        const row = (await countTrackedSource.execute(trx, values)).rows[0];
        if (row) sourceOrdinals.set(source, Number(row.hits) - n);
      }
    }

  const keptCeiling = threshold * KEPT_CEILING_FACTOR;
  const kept: Hit[] = [];
  for (let i = 0; i < group.length; i++) {
    const hit = group[i]!;
    tokenOrdinal += 1;
    const previous = sourceOrdinals.get(hit.source);
    let keep: boolean;
    if (previous === undefined || keptSoFar >= keptCeiling) {
      keep = tokenOrdinal % sampleEvery === 0;
    } else {
      const ordinal = previous + 1;
      sourceOrdinals.set(hit.source, ordinal);
      keep = ordinal <= threshold || (ordinal - threshold) % sampleEvery === 0;
    }
    if (keep || always(hit)) {
      kept.push(hit);
      keptSoFar += 1;
    }
  }
  if (kept.length > 0 || newSources > 0) await noteMinute.execute(trx, { tokenId, minute, kept: kept.length, sources: newSources });
  return kept;
}
