import { sql, type Kysely, type Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { isPostgres } from '../db.js';
import { pageNewestFirst, type Page, type PageRequest } from '../paging.js';
import { DEFAULT_TOKEN_SEVERITY, type Token, type TokenSeverity } from '../../core/model/token.js';
import { PreparedQuery } from '../prepared.js';
import type { Database, TokensTable } from '../schema.js';

export type { Token };

export interface NewToken {
  id: string;
  kind: string;
  memo: string;
  redirect?: string | null;
  config?: Record<string, unknown>;
  alertWindowSeconds?: number | null;
  severity?: TokenSeverity;
  tags?: string[];
  createdAt: string;
}

export interface TokenChanges {
  memo?: string;
  enabled?: boolean;
  alertWindowSeconds?: number | null;
  severity?: TokenSeverity;
  tags?: string[];
}

export interface TokenFilter extends PageRequest {
  kind?: string;
  /** Case-insensitive text found in the memo or the id. */
  search?: string;
}

/** Typed without re-validation: the store wrote the row, and the trigger path reads tokens (through the live cache). */
/** What the alert decision reads of a token, under its row lock. */
export interface TokenAlertFacts {
  id: string;
  kind: string;
  memo: string;
  alertWindowSeconds: number | null;
  severity: TokenSeverity;
  tags: string[];
}

const ALERT_FACT_COLUMNS = ['id', 'kind', 'memo', 'alert_window_s', 'severity', 'tags'] as const;

function alertFactsFromRow(row: Pick<Selectable<TokensTable>, (typeof ALERT_FACT_COLUMNS)[number]>): TokenAlertFacts {
  return {
    id: row.id,
    kind: row.kind,
    memo: row.memo,
    alertWindowSeconds: row.alert_window_s,
    severity: row.severity as TokenSeverity,
    tags: JSON.parse(row.tags) as string[],
  };
}

function lockOneTokenQuery(forUpdate: boolean) {
  return new PreparedQuery((db, p: { id: string }) =>
    db
      .selectFrom('tokens')
      .select(ALERT_FACT_COLUMNS)
      .where('id', '=', p.id)
      .$if(forUpdate, (q) => q.forUpdate()),
  );
}
const lockOneToken = lockOneTokenQuery(false);
const lockOneTokenForUpdate = lockOneTokenQuery(true);

export function tokenFromRow(row: Selectable<TokensTable>): Token {
  return {
    id: row.id,
    kind: row.kind,
    memo: row.memo,
    enabled: Number(row.enabled) === 1,
    redirect: row.redirect,
    config: JSON.parse(row.config) as Record<string, unknown>,
    alertWindowSeconds: row.alert_window_s,
    severity: row.severity as TokenSeverity,
    tags: JSON.parse(row.tags) as string[],
    hitCount: Number(row.hit_count),
    hitsKept: Number(row.hits_kept),
    lastHitAt: row.last_hit_at,
    createdAt: row.created_at,
  };
}

export class TokenRepository {
  /** `reader` serves the listing, whose search scans: the store's read threads where it has them. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly reader: Kysely<Database> = db,
  ) {}

  async create(token: NewToken): Promise<Token> {
    const row: Selectable<TokensTable> = {
      id: token.id,
      kind: token.kind,
      memo: token.memo,
      enabled: 1,
      redirect: token.redirect ?? null,
      config: JSON.stringify(token.config ?? {}),
      alert_window_s: token.alertWindowSeconds ?? null,
      severity: token.severity ?? DEFAULT_TOKEN_SEVERITY,
      tags: JSON.stringify(token.tags ?? []),
      hit_count: 0,
      hits_kept: 0,
      last_hit_at: null,
      created_at: token.createdAt,
    };
    await this.db.insertInto('tokens').values(row).execute();
    await this.writeTags(this.db, token.id, token.tags ?? []);
    return tokenFromRow(row);
  }

  async find(id: string): Promise<Token | undefined> {
    const row = await this.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? tokenFromRow(row) : undefined;
  }

  async get(id: string): Promise<Token> {
    const token = await this.find(id);
    if (!token) throw new NotFoundError('token', id);
    return token;
  }

  /**
   * Locks the rows of these tokens for the rest of the transaction (FOR UPDATE on PostgreSQL,
   * in id order so two transactions never wait on each other; SQLite has one writer) and reads
   * what an alert needs. Construct the repository over the transaction. Ids with no row are absent.
   */
  async lockForAlerting(ids: string[]): Promise<Map<string, TokenAlertFacts>> {
    const forUpdate = isPostgres(this.db);
    if (ids.length === 1) {
      // The usual batch (one token's storm): the prepared form of the query below.
      const { rows } = await (forUpdate ? lockOneTokenForUpdate : lockOneToken).execute(this.db, { id: ids[0]! });
      return new Map(rows.map((row) => [row.id, alertFactsFromRow(row)]));
    }
    const rows = await this.db
      .selectFrom('tokens')
      .select(ALERT_FACT_COLUMNS)
      .where('id', 'in', ids)
      .orderBy('id')
      .$if(forUpdate, (q) => q.forUpdate())
      .execute();
    return new Map(rows.map((row) => [row.id, alertFactsFromRow(row)]));
  }

  /** Newest first. */
  async list(filter: TokenFilter = {}): Promise<Page<Token>> {
    let query = this.reader.selectFrom('tokens').selectAll();
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.search) {
      // % and _ in the search are literal. SQLite has no default LIKE escape, so it is named.
      const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`(lower(memo) like ${pattern} escape '\\' or id like ${pattern} escape '\\')`);
    }
    return pageNewestFirst(query, 'created_at', filter, tokenFromRow);
  }

  async update(id: string, changes: TokenChanges): Promise<Token> {
    const values: Partial<Selectable<TokensTable>> = {};
    if (changes.memo !== undefined) values.memo = changes.memo;
    if (changes.enabled !== undefined) values.enabled = changes.enabled ? 1 : 0;
    if (changes.alertWindowSeconds !== undefined) values.alert_window_s = changes.alertWindowSeconds;
    if (changes.severity !== undefined) values.severity = changes.severity;
    if (changes.tags !== undefined) values.tags = JSON.stringify(changes.tags);
    if (Object.keys(values).length > 0) {
      await this.db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('tokens').set(values).where('id', '=', id).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('token', id);
        if (changes.tags !== undefined) {
          await trx.deleteFrom('token_tags').where('token_id', '=', id).execute();
          await this.writeTags(trx, id, changes.tags);
        }
      });
    }
    return this.get(id);
  }

  private async writeTags(db: Kysely<Database>, tokenId: string, tags: string[]): Promise<void> {
    const unique = [...new Set(tags)];
    if (unique.length > 0)
      await db
        .insertInto('token_tags')
        .values(unique.map((tag) => ({ token_id: tokenId, tag })))
        .execute();
  }

  /** Removes the token and its hit history; the caller asked for exactly that. */
  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('tokens').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('token', id);
      await trx.deleteFrom('hits').where('token_id', '=', id).execute();
      await trx.deleteFrom('hit_counts').where('token_id', '=', id).execute();
      await trx.deleteFrom('hit_hours').where('token_id', '=', id).execute();
      await trx.deleteFrom('hit_source_counts').where('token_id', '=', id).execute();
      await trx.deleteFrom('token_channels').where('token_id', '=', id).execute();
      await trx.deleteFrom('token_tags').where('token_id', '=', id).execute();
      await trx.deleteFrom('noise_rules').where('token_id', '=', id).execute();
      await trx.deleteFrom('token_keys').where('token_id', '=', id).execute();
    });
  }
}
