import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { pageNewestFirst, type Page, type PageRequest } from '../paging.js';
import { untaggedDetailType, type HitDetail } from '../../core/model/hit-detail.js';
import type { Enrichment } from '../../core/model/enrichment.js';
import type { Hit } from '../../core/model/hit.js';
import type { Mute } from '../../core/model/noise.js';
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

/** The hits table's columns in the order the batch INSERTs bind them (hitToRow fills each). */
export const HIT_COLUMNS: readonly (keyof HitsTable)[] = [
  'id',
  'token_id',
  'kind',
  'at',
  'source',
  'user_agent',
  'detail',
  'agent_id',
  'received_at',
  'muted_by',
  'enrichment',
  'country',
];

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
    mutedBy: row.muted_by === null ? null : (JSON.parse(row.muted_by) as Mute),
    enrichment: row.enrichment === null ? null : (JSON.parse(row.enrichment) as Enrichment),
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
    muted_by: hit.mutedBy ? JSON.stringify(hit.mutedBy) : null,
    enrichment: hit.enrichment ? JSON.stringify(hit.enrichment) : null,
    country: hit.enrichment?.country ?? null,
  };
}

/** The Activity view's filters; each one given narrows the listing. */
export interface HitFilter extends PageRequest {
  kind?: string;
  tokenId?: string;
  /** Hits of tokens carrying this tag. */
  tag?: string;
  source?: string;
  /** ISO country code from enrichment. */
  country?: string;
  /** true: muted hits only; false: unmuted only. */
  muted?: boolean;
}

export class HitRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A token's stored hits, newest first, paged: all of them but those sampled away or past retention. */
  async listForToken(tokenId: string, page: PageRequest = {}): Promise<Page<Hit>> {
    const query = this.db.selectFrom('hits').selectAll().where('token_id', '=', tokenId);
    return pageNewestFirst(query, 'at', page, hitFromRow);
  }

  /** Every token's stored hits, newest first, paged and filtered: the Activity view. */
  async list(filter: HitFilter = {}): Promise<Page<Hit>> {
    let query = this.db.selectFrom('hits').selectAll();
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.tokenId) query = query.where('token_id', '=', filter.tokenId);
    if (filter.source) query = query.where('source', '=', filter.source);
    if (filter.country) query = query.where('country', '=', filter.country.toUpperCase());
    if (filter.muted !== undefined) query = query.where('muted_by', filter.muted ? 'is not' : 'is', null);
    if (filter.tag) {
      const tag = filter.tag;
      query = query.where('token_id', 'in', (eb) => eb.selectFrom('token_tags').select('token_id').where('tag', '=', tag));
    }
    return pageNewestFirst(query, 'at', filter, hitFromRow);
  }

  /** Hits per day over every token for the last `days` days, muted ones included: from the exact hourly counts. */
  async dailyTotals(days: number, now = new Date()): Promise<{ bucket: string; count: number }[]> {
    const since = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    return this.perDay({ since });
  }

  /** Sums of the hourly counts per day, of one token or every one, from a day on. */
  private async perDay(where: { tokenId?: string; since?: string }): Promise<{ bucket: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('hit_hours')
      .select((eb) => [eb.fn<string>('substr', ['hour', eb.val(1), eb.val(10)]).as('bucket'), eb.fn.sum<number>('hits').as('n')])
      .$if(where.tokenId !== undefined, (q) => q.where('token_id', '=', where.tokenId!))
      .$if(where.since !== undefined, (q) => q.where('hour', '>=', where.since!))
      .groupBy('bucket')
      .orderBy('bucket')
      .execute();
    return rows.map((r) => ({ bucket: r.bucket, count: Number(r.n) }));
  }

  /** Replaces a stored hit's enrichment (a host name found after it was recorded). */
  async setEnrichment(id: string, enrichment: Enrichment): Promise<void> {
    await this.db
      .updateTable('hits')
      .set({ enrichment: JSON.stringify(enrichment), country: enrichment.country ?? null })
      .where('id', '=', id)
      .execute();
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
    return this.perDay({ tokenId });
  }
}
