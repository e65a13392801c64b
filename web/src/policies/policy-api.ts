import type { ApiClient } from '../api/client';

/** What one targeted agent reports for a central policy. */
export interface AgentPolicyStatus {
  agentId: string;
  agent: string;
  node: string;
  state: 'loaded' | 'error' | 'pending';
  /** The agent's error lines: file:line:col: field: message. */
  errors: string[];
}

/** A central policy as GET /api/v1/policies shows it. */
export interface FleetPolicy {
  name: string;
  document: string;
  target: { agents: string[]; labels: Record<string, string> };
  version: number;
  updatedAt: string;
  agents: AgentPolicyStatus[];
}

export interface FleetPolicyList {
  version: number;
  items: FleetPolicy[];
}

export function listPolicies(api: ApiClient): Promise<FleetPolicyList> {
  return api.get('/policies');
}

export function deletePolicy(api: ApiClient, name: string): Promise<void> {
  return api.delete(`/policies/${encodeURIComponent(name)}`);
}
