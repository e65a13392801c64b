import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { pageNewestFirst, type Page, type PageRequest } from '../paging.js';
import { untaggedDetailType, type HitDetail } from '../../core/model/hit-detail.js';
import type { Hit } from '../../core/model/hit.js';
import type { Database, HitsTable } from '../schema.js';

export type { Hit };

/**
 * A stored detail, typed without re-validation: only the store writes the column, from typed
 * values (src/core/model/hit-detail.ts), and parsing every row again would cost each page and
 * each alert. Details stored before they carried their tag get it here, from their fields.
 */
function detailFromColumn(json: string): HitDetail {
  const detail = JSON.parse(json) as Record<string, unknown>;
  if (typeof detail.type !== 'string') detail.type = untaggedDetailType(detail);
  return detail as HitDetail;
}

const ID_CHUNK = 500;

export function hitFromRow(row: Selectable<HitsTable>): Hit {
  return {
    id: row.id,
    tokenId: row.token_id,
    kind: row.kind,
    at: row.at,
    source: row.source,
    userAgent: row.user_agent,
    detail: detailFromColumn(row.detail),
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

  async find(id: string): Promise<Hit | undefined> {
    const row = await this.db.selectFrom('hits').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? hitFromRow(row) : undefined;
  }

  async get(id: string): Promise<Hit> {
    const hit = await this.find(id);
    if (!hit) throw new NotFoundError('hit', id);
    return hit;
  }

  /** The ids among `ids` that are stored, in chunks so a long list stays under parameter limits. */
  async storedIds(ids: string[]): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const rows = await this.db
        .selectFrom('hits')
        .select('id')
        .where('id', 'in', ids.slice(i, i + ID_CHUNK))
        .execute();
      found.push(...rows.map((r) => r.id));
    }
    return found;
  }

  /** The stored hits among these ids, in the order given. */
  async getMany(ids: string[]): Promise<Hit[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('hits').selectAll().where('id', 'in', ids).execute();
    const byId = new Map(rows.map((row) => [row.id, hitFromRow(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
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
