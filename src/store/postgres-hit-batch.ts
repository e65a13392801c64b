import { CompiledQuery, type Transaction } from 'kysely';
import { announcementPayloads, HITS_NOTIFY_CHANNEL } from './hit-announcer.js';
import { HIT_COLUMNS, hitToRow, type Hit } from './repositories/hits.js';
import type { Database } from './schema.js';

/** What a batch adds to one token's row. */
export interface TokenTally {
  count: number;
  kept: number;
  last: string;
}

const TOKEN_PARAMETERS = HIT_COLUMNS.length;
const NOTIFY_PARAMETERS = TOKEN_PARAMETERS + 4;

/**
 * A batch's hits, its tokens' counts and its NOTIFY in one statement: each round trip to the
 * server costs a batch more than the rows do, and the batch holds its tokens' row locks meanwhile.
 * Every column travels as one array, so the text is the same whatever the batch's size. The
 * data-modifying CTEs run whether or not the final SELECT reads them.
 */
const STATEMENT = `with inserted as (
  insert into hits (${HIT_COLUMNS.join(', ')}) select * from unnest(${HIT_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ')})
), counted as (
  update tokens as t set
    hit_count = t.hit_count + u.count,
    hits_kept = t.hits_kept + u.kept,
    last_hit_at = case when t.last_hit_at is null or t.last_hit_at < u.last then u.last else t.last_hit_at end
  from unnest($${TOKEN_PARAMETERS + 1}::text[], $${TOKEN_PARAMETERS + 2}::int[], $${TOKEN_PARAMETERS + 3}::int[], $${TOKEN_PARAMETERS + 4}::text[]) as u(id, count, kept, last)
  where t.id = u.id
)
select pg_notify('${HITS_NOTIFY_CHANNEL}', payload) from unnest($${NOTIFY_PARAMETERS + 1}::text[]) as payload`;

/**
 * Stores a PostgreSQL batch: the kept hits, every hit's count on its token, and (when origin is
 * given) the announcement that shows the kept hits on other replicas' dashboards once committed.
 */
export async function storePostgresBatch(trx: Transaction<Database>, kept: Hit[], tallies: Map<string, TokenTally>, origin: string | undefined): Promise<void> {
  const parameters: unknown[][] = HIT_COLUMNS.map(() => []);
  for (const hit of kept) {
    const row = hitToRow(hit);
    for (let i = 0; i < HIT_COLUMNS.length; i++) parameters[i]!.push(row[HIT_COLUMNS[i]!]);
  }
  const tokens = [...tallies.entries()];
  parameters.push(
    tokens.map(([id]) => id),
    tokens.map(([, tally]) => tally.count),
    tokens.map(([, tally]) => tally.kept),
    tokens.map(([, tally]) => tally.last),
    origin === undefined ? [] : announcementPayloads(origin, kept),
  );
  await trx.executeQuery(CompiledQuery.raw(STATEMENT, parameters));
}
