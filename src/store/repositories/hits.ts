import type { Kysely, Selectable } from 'kysely';
import { pageNewestFirst, type Page, type PageRequest } from '../paging.js';
import type { Database, HitsTable } from '../schema.js';

export interface Hit {
  id: string;
  tokenId: string;
  kind: string;
  at: string;
  source: string;
  userAgent: string | null;
  detail: Record<string, unknown>;
  /** The agent that reported it; null or absent for hits the server saw itself. */
  agentId?: string | null;
  /** When the server took it in; absent on hits made before this was kept. */
  receivedAt?: string | null;
}

export function hitFromRow(row: Selectable<HitsTable>): Hit {
  return {
    id: row.id,
    tokenId: row.token_id,
    kind: row.kind,
    at: row.at,
    source: row.source,
    userAgent: row.user_agent,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    agentId: row.agent_id,
    receivedAt: row.received_at,
  };
}

export function hitToRow(hit: Hit): Selectable<HitsTable> {
  return {
    id: hit.id,
    token_id: hit.tokenId,
    kind: hit.kind,
    at: hit.at,
    source: hit.source,
    user_agent: hit.userAgent,
    detail: JSON.stringify(hit.detail),
    agent_id: hit.agentId ?? null,
    received_at: hit.receivedAt ?? null,
  };
}

export class HitRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A token's stored hits, newest first, paged: all of them but those sampled away or past retention. */
  async listForToken(tokenId: string, page: PageRequest = {}): Promise<Page<Hit>> {
    const query = this.db.selectFrom('hits').selectAll().where('token_id', '=', tokenId);
    return pageNewestFirst(query, 'at', page, hitFromRow);
  }

  async get(id: string): Promise<Hit | undefined> {
    const row = await this.db.selectFrom('hits').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? hitFromRow(row) : undefined;
  }

  async countForToken(tokenId: string): Promise<number> {
    const row = await this.db
      .selectFrom('hits')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('token_id', '=', tokenId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Hits per bucket of time for a token, for charts. Buckets are ISO prefixes (hour or day). From
   * the exact hourly counts, so sampled and expired hits are in it, and a month costs 720 rows.
   */
  async histogram(tokenId: string, bucket: 'hour' | 'day'): Promise<{ bucket: string; count: number }[]> {
    if (bucket === 'hour') {
      const rows = await this.db.selectFrom('hit_hours').select(['hour', 'hits']).where('token_id', '=', tokenId).orderBy('hour').execute();
      return rows.map((r) => ({ bucket: r.hour, count: Number(r.hits) }));
    }
    const rows = await this.db
      .selectFrom('hit_hours')
      .select((eb) => [eb.fn<string>('substr', ['hour', eb.val(1), eb.val(10)]).as('bucket'), eb.fn.sum<number>('hits').as('n')])
      .where('token_id', '=', tokenId)
      .groupBy('bucket')
      .orderBy('bucket')
      .execute();
    return rows.map((r) => ({ bucket: r.bucket, count: Number(r.n) }));
  }
}
