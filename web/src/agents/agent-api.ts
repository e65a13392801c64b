import type { ApiClient } from '../api/client';
import type { Agent, AgentList } from '../api/types';

export function listAgents(api: ApiClient): Promise<AgentList> {
  return api.get('/agents');
}

/** The enrolled agent and its API key, which the server shows this once only. */
export type EnrolledAgent = Agent & { key: string };

export function enrollAgent(api: ApiClient, name: string): Promise<EnrolledAgent> {
  return api.post('/agents', { name });
}

export function revokeAgent(api: ApiClient, id: string): Promise<void> {
  return api.delete(`/agents/${encodeURIComponent(id)}`);
}
