import { sql, type SelectQueryBuilder } from 'kysely';
import { ValidationError } from '../core/errors.js';
import type { Database } from './schema.js';

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Keyset position: the sort key and id of the last row of a page. */
export interface Position {
  key: string;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.key, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return { key: value[0] as string, id: value[1] as string };
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor is not one this server issued', { field: 'cursor' });
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, { field: 'limit' });
  }
  return limit;
}

/** Builds a page from rows fetched with limit + 1, so the extra row tells whether more exist. */
export function toPage<R, T>(rows: R[], limit: number, position: (row: R) => Position, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(position(last)) : null };
}

/**
 * One page of a listing, newest first by (key column, id): rows after the cursor's position,
 * limit + 1 of them so the extra row tells whether another page exists.
 */
export async function pageNewestFirst<R extends { id: string }, T>(
  // biome-ignore lint/suspicious/noExplicitAny: any single-table query over the store; the key column is named at run time.
  query: SelectQueryBuilder<Database, any, R>,
  keyColumn: string,
  request: PageRequest,
  map: (row: R) => T,
): Promise<Page<T>> {
  const limit = pageLimit(request.limit);
  const key = sql.ref(keyColumn);
  if (request.cursor) {
    const after = decodeCursor(request.cursor);
    // The first bound repeats what the second implies: it is the range an index on (key, id) can
    // seek to, where the "or" alone makes both dialects walk the index from the top to the cursor.
    query = query.where(sql<boolean>`${key} <= ${after.key} and (${key} < ${after.key} or (${key} = ${after.key} and ${sql.ref('id')} < ${after.id}))`);
  }
  const rows = await query
    .orderBy(key, 'desc')
    .orderBy(sql.ref('id'), 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (row) => ({ key: String((row as Record<string, unknown>)[keyColumn]), id: row.id }), map);
}
