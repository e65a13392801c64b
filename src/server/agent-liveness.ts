/**
 * Silence is an alert: an agent that misses its heartbeats for `silentAfterMs` (default three of
 * its own reported intervals) raises "agent silent"; its next heartbeat raises "agent back" with
 * how long it was gone; a heartbeat that says it is stopping (SIGTERM) raises "agent stopped"
 * instead, so a clean stop is told apart from a loss. An intruder who kills the agent first is
 * seen within the silence time.
 */
import type { Logger } from 'pino';
import type { Heartbeat } from '../core/agent-protocol.js';
import type { AgentAlerts } from '../alerts/agent-alerts.js';
import type { Agent, AgentRepository } from '../store/repositories/agents.js';
import { AGENT_HEARTBEAT_INTERVAL_MS } from './api/agents.js';

export interface AgentLivenessOptions {
  /** A fixed silence time for every agent; when omitted, three of each agent's own intervals. */
  silentAfterMs?: number;
  /** How often agents are looked at; default a quarter of the silence time, at most 5 s. */
  checkMs?: number;
  clock?: () => number;
}

/** Heartbeats missed before an agent counts as silent, when no --agent-silent-after is given. */
export const SILENT_AFTER_INTERVALS = 3;

export class AgentLiveness {
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private readonly clock: () => number;

  constructor(
    private readonly agents: AgentRepository,
    private readonly alerts: AgentAlerts,
    private readonly log: Logger,
    private readonly options: AgentLivenessOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** How long this agent may stay quiet before it is silent. */
  silentAfter(agent: Pick<Agent, 'heartbeatMs'>): number {
    return this.options.silentAfterMs ?? SILENT_AFTER_INTERVALS * (agent.heartbeatMs ?? AGENT_HEARTBEAT_INTERVAL_MS);
  }

  start(): void {
    const checkMs = this.options.checkMs ?? Math.min(5_000, Math.max(100, Math.floor((this.options.silentAfterMs ?? 15_000) / 4)));
    this.timer = setInterval(() => this.kick(), checkMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
  }

  /** After a heartbeat was stored: a stop said, a return, or the first sign of life. */
  async heartbeat(agent: Agent, heartbeat: Heartbeat): Promise<void> {
    const now = this.clock();
    if (heartbeat.stopping) {
      await this.raise(agent, 'stopped', now);
      return;
    }
    if (agent.liveness === 'silent' || agent.liveness === 'stopped') await this.raise(agent, 'back', now);
    else if (agent.liveness === 'unknown') await this.agents.changeLiveness(agent.id, ['unknown'], 'alive', new Date(now).toISOString());
  }

  private kick(): void {
    if (this.checking) return;
    this.checking = this.check()
      .catch((err: unknown) => this.log.error({ err }, 'checking agents for silence failed; trying again'))
      .finally(() => {
        this.checking = null;
      });
  }

  /** One pass over the agents: each alive one not heard from within its silence time goes silent. */
  async check(): Promise<void> {
    const now = this.clock();
    for (const agent of await this.agents.list()) {
      if (agent.liveness !== 'alive' || agent.lastHeartbeat === null) continue;
      const cutoff = new Date(now - this.silentAfter(agent)).toISOString();
      if (agent.lastHeartbeat >= cutoff) continue;
      await this.raise(agent, 'silent', now, cutoff);
    }
  }

  private async raise(agent: Agent, event: 'silent' | 'back' | 'stopped', now: number, heardBefore?: string): Promise<void> {
    const alert = await this.alerts.transition(agent, event, now, heardBefore);
    if (alert) this.log.warn({ agentId: agent.id, agent: agent.name, node: agent.enrolledNode, event }, alert.tokenMemo);
  }
}
