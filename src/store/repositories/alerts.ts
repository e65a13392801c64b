import { sql, type Kysely, type Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { pageNewestFirst, type Page, type PageRequest } from '../paging.js';
import { PreparedQuery } from '../prepared.js';
import type { AlertsTable, Database } from '../schema.js';

export interface Alert {
  id: string;
  tokenId: string;
  tokenKind: string;
  tokenMemo: string;
  groupKey: string;
  source: string;
  userAgent: string | null;
  firstHitId: string;
  firstHitAt: string;
  lastHitAt: string;
  hitCount: number;
  windowStart: string;
  windowEnd: string;
  digestScheduled: boolean;
  closedAt: string | null;
  /** For a token's digest alert: the distinct grouping keys folded in beyond the alert cap; else 0. */
  foldedKeys: number;
  createdAt: string;
}

/** What the alert decision needs of an open alert to fold hits into it (and schedule its digest). */
export type OpenAlert = Pick<Alert, 'id' | 'tokenId' | 'windowEnd' | 'digestScheduled' | 'foldedKeys'>;

export interface AlertFilter extends PageRequest {
  tokenId?: string;
}

export function alertFromRow(row: Selectable<AlertsTable>): Alert {
  return {
    id: row.id,
    tokenId: row.token_id,
    tokenKind: row.token_kind,
    tokenMemo: row.token_memo,
    groupKey: row.group_key,
    source: row.source,
    userAgent: row.user_agent,
    firstHitId: row.first_hit_id,
    firstHitAt: row.first_hit_at,
    lastHitAt: row.last_hit_at,
    hitCount: Number(row.hit_count),
    windowStart: row.window_start,
    windowEnd: row.window_end,
    digestScheduled: Number(row.digest_scheduled) === 1,
    closedAt: row.closed_at,
    foldedKeys: Number(row.folded_keys),
    createdAt: row.created_at,
  };
}

export function alertToRow(alert: Alert): Selectable<AlertsTable> {
  return {
    id: alert.id,
    token_id: alert.tokenId,
    token_kind: alert.tokenKind,
    token_memo: alert.tokenMemo,
    group_key: alert.groupKey,
    source: alert.source,
    user_agent: alert.userAgent,
    first_hit_id: alert.firstHitId,
    first_hit_at: alert.firstHitAt,
    last_hit_at: alert.lastHitAt,
    hit_count: alert.hitCount,
    window_start: alert.windowStart,
    window_end: alert.windowEnd,
    digest_scheduled: alert.digestScheduled ? 1 : 0,
    closed_at: alert.closedAt,
    folded_keys: alert.foldedKeys,
    created_at: alert.createdAt,
  };
}

// The decision runs these for every batch of hits: built once, run with new values (see PreparedQuery).
const findOpenAlert = new PreparedQuery((db, p: { tokenId: string; groupKey: string; now: string }) =>
  db
    .selectFrom('alerts')
    // Only what a fold needs, and no ORDER BY: at most one alert per key is open (a new one is
    // opened only when this finds none, under the token's lock), and on SQLite sorting that one
    // row cost this lookup, run once per batch of hits, four times the time.
    .select(['id', 'token_id', 'window_end', 'digest_scheduled', 'folded_keys'])
    .where('token_id', '=', p.tokenId)
    .where('group_key', '=', p.groupKey)
    .where('window_end', '>', p.now)
    .where('closed_at', 'is', null)
    // A literal, not a bound parameter: SQLite plans `LIMIT ?` as an unknown limit, and this
    // lookup (once per batch of hits, inside its transaction) ran four times slower for it.
    .limit(sql.lit(1)),
);

function foldQuery(scheduleDigest: boolean) {
  return new PreparedQuery((db, p: { id: string; hits: number; lastHitAt: string }) =>
    db
      .updateTable('alerts')
      .set((eb) => ({
        hit_count: eb('hit_count', '+', p.hits),
        last_hit_at: eb.case().when('last_hit_at', '<', p.lastHitAt).then(p.lastHitAt).else(eb.ref('last_hit_at')).end(),
        ...(scheduleDigest ? { digest_scheduled: 1 } : {}),
      }))
      .where('id', '=', p.id)
      .where('closed_at', 'is', null),
  );
}
const foldOnly = foldQuery(false);
const foldScheduling = foldQuery(true);

const countRaisedSince = new PreparedQuery((db, p: { tokenId: string; since: string; except: string }) =>
  db
    .selectFrom('alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('token_id', '=', p.tokenId)
    .where('created_at', '>', p.since)
    .where('group_key', '<>', p.except),
);

const insertFoldedKey = new PreparedQuery((db, p: { alertId: string; groupKey: string }) =>
  db
    .insertInto('alert_folded_keys')
    .values({ alert_id: p.alertId, group_key: p.groupKey })
    .onConflict((oc) => oc.columns(['alert_id', 'group_key']).doNothing()),
);

const countFoldedKey = new PreparedQuery((db, p: { id: string }) =>
  db
    .updateTable('alerts')
    .set((eb) => ({ folded_keys: eb('folded_keys', '+', 1) }))
    .where('id', '=', p.id),
);

/** Keys remembered per digest alert: bounds its storage; beyond it the digest says "at least". */
export const MAX_FOLDED_KEYS = 10_000;

export class AlertRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The alert whose window is still open for this key at `now`, if any. */
  async findOpen(tokenId: string, groupKey: string, now: string): Promise<OpenAlert | undefined> {
    const { rows } = await findOpenAlert.execute(this.db, { tokenId, groupKey, now });
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      tokenId: row.token_id,
      windowEnd: row.window_end,
      digestScheduled: Number(row.digest_scheduled) === 1,
      foldedKeys: Number(row.folded_keys),
    };
  }

  async insert(alert: Alert): Promise<void> {
    await this.db.insertInto('alerts').values(alertToRow(alert)).execute();
  }

  /**
   * Adds hits to an alert that is still open. False when the alert was closed in the meantime
   * (its digest is being sent), so the caller starts a new alert instead of folding into one
   * whose count has already gone out.
   */
  async fold(id: string, hits: number, lastHitAt: string, scheduleDigest: boolean): Promise<boolean> {
    const result = await (scheduleDigest ? foldScheduling : foldOnly).execute(this.db, { id, hits, lastHitAt });
    return Number(result.numAffectedRows) === 1;
  }

  /** Alerts raised for a token since a time, its digest alert (key `except`) not counted. */
  async countRaisedSince(tokenId: string, since: string, except: string): Promise<number> {
    const { rows } = await countRaisedSince.execute(this.db, { tokenId, since, except });
    return Number(rows[0]?.n ?? 0);
  }

  /** Counts a grouping key into a digest alert once, however many of its hits fold in. */
  async addFoldedKey(alert: Pick<Alert, 'id' | 'foldedKeys'>, groupKey: string): Promise<void> {
    if (alert.foldedKeys >= MAX_FOLDED_KEYS) return;
    const inserted = await insertFoldedKey.execute(this.db, { alertId: alert.id, groupKey });
    if (Number(inserted.numAffectedRows ?? 0) === 1) await countFoldedKey.execute(this.db, { id: alert.id });
  }

  /** Freezes alerts whose digest is about to be rendered: later hits start a new alert. */
  async close(ids: string[], now: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('alerts').set({ closed_at: now }).where('id', 'in', ids).where('closed_at', 'is', null).execute();
  }

  /**
   * The alert a hit opened or folded into: the one it opened, else the newest alert of its token
   * and one of these grouping keys (its own first, then the token's digest) whose hits span its time.
   */
  async forHit(hit: { id: string; tokenId: string; at: string }, keys: string[]): Promise<Alert | undefined> {
    const opened = await this.db.selectFrom('alerts').selectAll().where('first_hit_id', '=', hit.id).executeTakeFirst();
    if (opened) return alertFromRow(opened);
    for (const key of keys) {
      const row = await this.db
        .selectFrom('alerts')
        .selectAll()
        .where('token_id', '=', hit.tokenId)
        .where('group_key', '=', key)
        .where('first_hit_at', '<=', hit.at)
        .where('last_hit_at', '>=', hit.at)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row) return alertFromRow(row);
    }
    return undefined;
  }

  async find(id: string): Promise<Alert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? alertFromRow(row) : undefined;
  }

  async get(id: string): Promise<Alert> {
    const alert = await this.find(id);
    if (!alert) throw new NotFoundError('alert', id);
    return alert;
  }

  /** Newest first, paged; optionally one token's alerts only. */
  async list(filter: AlertFilter = {}): Promise<Page<Alert>> {
    let query = this.db.selectFrom('alerts').selectAll();
    if (filter.tokenId) query = query.where('token_id', '=', filter.tokenId);
    return pageNewestFirst(query, 'created_at', filter, alertFromRow);
  }
}
