import type { ApiClient } from '../api/client';

/** A decoy an agent reported, as GET /api/v1/decoys shows it. */
export interface Decoy {
  agentId: string;
  agent: string | null;
  node: string | null;
  path: string;
  tokenId: string | null;
  inode: string | null;
  container: string | null;
  /** watched; missing (gone without its policy being removed); withdrawn (its policy went). */
  state: 'watched' | 'missing' | 'withdrawn';
  error: string | null;
  firstSeenAt: string;
  lastVerifiedAt: string | null;
}

export function listDecoys(api: ApiClient, tokenId?: string): Promise<{ items: Decoy[] }> {
  return api.get(tokenId ? `/decoys?token=${encodeURIComponent(tokenId)}` : '/decoys');
}
