import { query, type ApiClient } from '../api/client';
import type { Hit, Histogram, Page, Token, TokenKindInfo } from '../api/types';
import { visibleHit } from '../hits/visible-hit';

export const TOKEN_PAGE_SIZE = 50;
export const HIT_PAGE_SIZE = 25;

export interface TokenListQuery {
  search: string;
  kind: string;
  cursor?: string | null;
}

export function listTokens(api: ApiClient, { search, kind, cursor }: TokenListQuery): Promise<Page<Token>> {
  return api.get(`/tokens${query({ q: search.trim(), kind, cursor, limit: TOKEN_PAGE_SIZE })}`);
}

export function getToken(api: ApiClient, id: string): Promise<Token> {
  return api.get(`/tokens/${encodeURIComponent(id)}`);
}

export function setTokenEnabled(api: ApiClient, id: string, enabled: boolean): Promise<Token> {
  return api.patch(`/tokens/${encodeURIComponent(id)}`, { enabled });
}

export interface NewToken {
  kind: string;
  memo: string;
  redirect?: string;
  alertWindowSeconds?: number;
  severity?: string;
  tags?: string[];
  channels?: string[];
  options?: Record<string, unknown>;
}

export function createToken(api: ApiClient, token: NewToken): Promise<Token> {
  return api.post('/tokens', token);
}

export async function listTokenKinds(api: ApiClient): Promise<TokenKindInfo[]> {
  return (await api.get<{ items: TokenKindInfo[] }>('/token-kinds')).items;
}

export async function listHits(api: ApiClient, id: string, cursor: string | null): Promise<Page<Hit>> {
  const page = await api.get<Page<Hit>>(`/tokens/${encodeURIComponent(id)}/hits${query({ cursor, limit: HIT_PAGE_SIZE })}`);
  return { ...page, items: page.items.map(visibleHit) };
}

export function hitHistogram(api: ApiClient, id: string, bucket: 'hour' | 'day'): Promise<Histogram> {
  return api.get(`/tokens/${encodeURIComponent(id)}/histogram${query({ bucket })}`);
}
