import { MAX_EVENT_CLOCK_AHEAD_MS, reportedTokenIds, type AgentEvent } from '../core/agent-protocol.js';
import { TriplineError } from '../core/errors.js';
import type { Agent } from '../store/repositories/agents.js';

/**
 * What an agent key may report. A key is a credential kept on the host it watches, so it may be
 * stolen: with it, an intruder must not raise hits for another host, for tokens none of the
 * policies its agent reports loaded names, or at times ahead of the server's clock. (The key can
 * send a heartbeat too; what it claims to have loaded is shown on the agent's page.)
 */

export type RefusalReason = 'other_node' | 'future_time' | 'token_not_loaded' | 'token_not_yet_reported';

export interface Refusal {
  id: string;
  reason: RefusalReason;
  message: string;
}

/** Refusals listed in an answer; the count says how many there were in all. */
const LISTED = 20;

/**
 * A report the agent's key may not make. 422 when it never will be: the agent sets such an event
 * aside (its rejected/ folder) instead of retrying it, so one bad event cannot hold up its spool.
 * 409 when a heartbeat still to come may allow it (a policy loaded after the last heartbeat the
 * server has): the agent retries the batch.
 */
export class AgentReportRefused extends TriplineError {
  constructor(message: string, retryable: boolean, context: Record<string, unknown>) {
    super(message, 'agent_report_refused', retryable ? 409 : 422, context);
  }

  get retryable(): boolean {
    return this.status === 409;
  }
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

/** A heartbeat must come from the node the agent was enrolled for; the refusal if not. */
export function heartbeatRefusal(agent: Agent, node: string): AgentReportRefused | null {
  if (node === agent.enrolledNode) return null;
  return new AgentReportRefused(
    `heartbeat refused: it claims node ${quoted(node)}, but this agent key is enrolled for node ${quoted(agent.enrolledNode)} ` +
      '(start the agent with that --node-name, or enroll one for this node)',
    false,
    { reason: 'other_node', node: node.slice(0, 64), enrolledNode: agent.enrolledNode },
  );
}

function refusal(event: AgentEvent, agent: Agent, tokens: Set<string>, now: number): Refusal | null {
  if (event.node !== agent.enrolledNode) {
    return {
      id: event.id,
      reason: 'other_node',
      message: `claims node ${quoted(event.node)}; this agent key is enrolled for node ${quoted(agent.enrolledNode)}`,
    };
  }
  const time = (event.access ?? event.tamper)!.time;
  const at = Date.parse(time);
  if (at > now + MAX_EVENT_CLOCK_AHEAD_MS) {
    return {
      id: event.id,
      reason: 'future_time',
      message: `its time ${time} is more than ${MAX_EVENT_CLOCK_AHEAD_MS / 60_000} minutes ahead of the server's clock (${new Date(now).toISOString()})`,
    };
  }
  if (tokens.has(event.tokenId.toLowerCase())) return null;
  // An event newer than the last heartbeat may come from a policy loaded since: that heartbeat
  // is on its way. The event time is capped above, so this cannot be claimed forever.
  const heartbeat = agent.lastHeartbeat === null ? null : Date.parse(agent.lastHeartbeat);
  if (heartbeat === null || at > heartbeat) {
    return {
      id: event.id,
      reason: 'token_not_yet_reported',
      message: `token ${quoted(event.tokenId)} is named by no policy in this agent's last heartbeat; send a heartbeat first`,
    };
  }
  return { id: event.id, reason: 'token_not_loaded', message: `token ${quoted(event.tokenId)} is named by no policy this agent reports loaded` };
}

/** Every event of the batch the agent may not report; empty when all may be stored. */
export function eventRefusals(agent: Agent, events: Iterable<AgentEvent>, now = Date.now()): Refusal[] {
  const tokens = reportedTokenIds(agent);
  const refused: Refusal[] = [];
  for (const event of events) {
    const found = refusal(event, agent, tokens, now);
    if (found) refused.push(found);
  }
  return refused;
}

/** One error for the batch: nothing of it is stored, so the agent can resend the rest alone. */
export function batchRefused(refused: Refusal[], total: number): AgentReportRefused {
  const retryable = refused.every((r) => r.reason === 'token_not_yet_reported');
  const first = refused[0]!;
  return new AgentReportRefused(
    `${refused.length} of ${total} events refused, none stored: event ${first.id} ${first.message}` +
      (refused.length > 1 ? ` (and ${refused.length - 1} more, listed in "refused")` : ''),
    retryable,
    { refusedCount: refused.length, refused: refused.slice(0, LISTED) },
  );
}
