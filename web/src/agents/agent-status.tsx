import type { Agent } from '../api/types';
import { StatusBadge } from '../components/badges';

/** Online while heartbeats arrive; silent once they stop; never seen until the first one. */
export function AgentStatusBadge({ agent }: { agent: Agent }) {
  if (agent.online && !agent.stopping) return <StatusBadge tone="good">online</StatusBadge>;
  if (agent.lastSeen === null) return <StatusBadge tone="neutral">never connected</StatusBadge>;
  // Its last heartbeat said it was stopping (SIGTERM): stopped on purpose, not lost.
  if (agent.liveness === 'stopped') return <StatusBadge tone="neutral">stopped</StatusBadge>;
  return <StatusBadge tone="warn">silent</StatusBadge>;
}

export function policyProblems(agent: Agent): number {
  return agent.policies.filter((policy) => !policy.ok).length;
}

export function watchProblems(agent: Agent): number {
  return agent.watched.filter((watch) => !watch.ok).length;
}
