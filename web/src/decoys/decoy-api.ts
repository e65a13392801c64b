import type { ApiClient } from '../api/client';
import type { AgentDecoy } from '../../../src/store/repositories/agent-decoys.js';

/** A decoy an agent reported, as GET /api/v1/decoys shows it: with its agent's name and node. */
export interface Decoy extends AgentDecoy {
  agent: string | null;
  node: string | null;
}

export function listDecoys(api: ApiClient, tokenId?: string): Promise<{ items: Decoy[] }> {
  return api.get(tokenId ? `/decoys?token=${encodeURIComponent(tokenId)}` : '/decoys');
}
