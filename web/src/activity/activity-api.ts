import { query, type ApiClient } from '../api/client';
import type { Hit, Histogram, Page } from '../api/types';
import { visibleHit } from '../hits/visible-hit';

export const ACTIVITY_PAGE_SIZE = 50;

/** The Activity view's filters; empty strings filter nothing. */
export interface ActivityFilters {
  kind: string;
  token: string;
  tag: string;
  source: string;
  country: string;
  muted: '' | 'true' | 'false';
}

export const NO_FILTERS: ActivityFilters = { kind: '', token: '', tag: '', source: '', country: '', muted: '' };

export async function listActivity(api: ApiClient, filters: ActivityFilters, cursor: string | null): Promise<Page<Hit>> {
  const page = await api.get<Page<Hit>>(
    `/hits${query({
      kind: filters.kind,
      token: filters.token.trim().toLowerCase(),
      tag: filters.tag.trim(),
      source: filters.source.trim(),
      country: filters.country.trim(),
      muted: filters.muted,
      cursor,
      limit: ACTIVITY_PAGE_SIZE,
    })}`,
  );
  return { ...page, items: page.items.map(visibleHit) };
}

/** Hits per day over every token (muted ones included), the last `days` days. */
export async function dailyTotals(api: ApiClient, days = 30): Promise<Histogram> {
  const answer = await api.get<{ series: Histogram['series'] }>(`/hits/daily${query({ days })}`);
  return { bucket: 'day', series: answer.series };
}

/**
 * Whether a hit that just arrived belongs on the filtered first page. A tag filter cannot be
 * decided here (a hit does not carry its token's tags): undefined asks the caller to refetch.
 */
export function matchesFilters(hit: Hit, filters: ActivityFilters): boolean | undefined {
  if (filters.kind && hit.kind !== filters.kind) return false;
  if (filters.token.trim() && hit.tokenId !== filters.token.trim().toLowerCase()) return false;
  if (filters.source.trim() && hit.source !== filters.source.trim()) return false;
  if (filters.country.trim() && hit.enrichment?.country !== filters.country.trim().toUpperCase()) return false;
  if (filters.muted && Boolean(hit.mutedBy) !== (filters.muted === 'true')) return false;
  if (filters.tag.trim()) return undefined;
  return true;
}
