import type { ApiClient } from '../api/client';
import type { ApiKey, KeyList, KeyRole } from '../api/types';

export function listKeys(api: ApiClient): Promise<KeyList> {
  return api.get('/keys');
}

/** The new key's record and the key itself, which the server shows this once only. */
export type CreatedKey = ApiKey & { key: string };

export function createKey(api: ApiClient, name: string, role: KeyRole): Promise<CreatedKey> {
  return api.post('/keys', { name, role });
}

export function revokeKey(api: ApiClient, id: string): Promise<ApiKey> {
  return api.post(`/keys/${encodeURIComponent(id)}/revoke`);
}
