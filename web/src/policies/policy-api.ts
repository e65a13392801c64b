import type { ApiClient } from '../api/client';
import type { FleetPolicyView } from '../../../src/server/fleet-policies.js';

export type { AgentPolicyStatus, FleetPolicyView as FleetPolicy } from '../../../src/server/fleet-policies.js';

export interface FleetPolicyList {
  version: number;
  items: FleetPolicyView[];
}

export function listPolicies(api: ApiClient): Promise<FleetPolicyList> {
  return api.get('/policies');
}

export function deletePolicy(api: ApiClient, name: string): Promise<void> {
  return api.delete(`/policies/${encodeURIComponent(name)}`);
}
