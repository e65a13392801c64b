/**
 * Alerts about agents themselves rather than a token: an agent gone silent, back, or stopped.
 * They ride the token alerts' rails (an alert row and one outbox row per channel, committed
 * together) so every channel kind delivers them unchanged: the alert's "token" is the agent
 * (kind `agent`, id the agent's id, memo the headline), and it goes to the channels linked to
 * the `agents` pseudo-token if any, else to the default channels.
 */
import { createHash } from 'node:crypto';
import { inTransaction, type Db, type Trx } from '../store/db.js';
import type { Outbox } from '../store/outbox.js';
import { AlertRepository, type Alert } from '../store/repositories/alerts.js';
import { AgentRepository, type Agent, type AgentLiveness } from '../store/repositories/agents.js';
import { ChannelRepository } from '../store/repositories/channels.js';
import { newRowId } from '../core/ids.js';
import type { AlertSettings } from './settings.js';

/** The token kind agent alerts carry, so channels and the API can tell them from token alerts. */
export const AGENT_ALERT_KIND = 'agent';
/** Channels linked to this id (as if it were a token) receive agent alerts instead of the defaults. */
export const AGENT_CHANNELS_ID = 'agents';

export type AgentAlertEvent = 'silent' | 'back' | 'stopped';

/** "3m 20s": how long an agent was gone, as a person reads it. */
export function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join(' ');
}

export function agentAlertHeadline(
  agent: Pick<Agent, 'name' | 'enrolledNode' | 'lastHeartbeat' | 'livenessAt'>,
  event: AgentAlertEvent,
  nowMs: number,
): string {
  const who = `${agent.name} on node ${agent.enrolledNode}`;
  switch (event) {
    case 'silent':
      return `Agent silent: ${who}, last heartbeat ${agent.lastHeartbeat ?? 'never'}`;
    case 'stopped':
      return `Agent stopped: ${who} said it was stopping (a clean stop, not a loss)`;
    case 'back': {
      const since = agent.livenessAt ?? agent.lastHeartbeat;
      const gone = since ? ` after ${spokenDuration(nowMs - Date.parse(since))}` : '';
      return `Agent back: ${who}${gone}`;
    }
  }
}

/** Which liveness each event leaves, and from which it may come. */
const TRANSITIONS: Record<AgentAlertEvent, { from: AgentLiveness[]; to: AgentLiveness }> = {
  silent: { from: ['alive'], to: 'silent' },
  stopped: { from: ['alive', 'silent', 'unknown'], to: 'stopped' },
  back: { from: ['silent', 'stopped'], to: 'alive' },
};

export class AgentAlerts {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly settings: Pick<AlertSettings, 'maxAgeMs'>,
  ) {}

  /**
   * Moves the agent's liveness and raises the alert in one transaction, only if this call made the
   * move: an agent silent for an hour alerts once, and two servers never both alert. `heardBefore`
   * (for silence) re-checks that no heartbeat arrived meanwhile. Returns the alert raised, if any.
   */
  async transition(agent: Agent, event: AgentAlertEvent, nowMs = Date.now(), heardBefore?: string): Promise<Alert | undefined> {
    const now = new Date(nowMs).toISOString();
    const { from, to } = TRANSITIONS[event];
    return inTransaction(this.db, async (trx) => {
      if (!(await new AgentRepository(trx).changeLiveness(agent.id, from, to, now, heardBefore))) return undefined;
      return this.raise(trx, agent, event, nowMs);
    });
  }

  private async raise(trx: Trx, agent: Agent, event: AgentAlertEvent, nowMs: number): Promise<Alert> {
    const now = new Date(nowMs).toISOString();
    const alert: Alert = {
      id: newRowId(nowMs),
      tokenId: agent.id,
      tokenKind: AGENT_ALERT_KIND,
      tokenMemo: agentAlertHeadline(agent, event, nowMs),
      groupKey: createHash('sha256').update(`agent\0${agent.id}\0${event}\0${now}`).digest('hex'),
      source: agent.enrolledNode,
      userAgent: null,
      // No hit stands behind it; the message is built from the alert's own copy.
      firstHitId: newRowId(nowMs),
      firstHitAt: now,
      lastHitAt: now,
      hitCount: 1,
      windowStart: now,
      windowEnd: now,
      digestScheduled: false,
      closedAt: now,
      foldedKeys: 0,
      createdAt: now,
    };
    await new AlertRepository(trx).insert(alert);
    const targets = await new ChannelRepository(trx).targetsForToken(AGENT_CHANNELS_ID);
    const giveUpAt = new Date(nowMs + this.settings.maxAgeMs).toISOString();
    await this.outbox.enqueue(
      trx,
      targets.map((target) => ({
        id: newRowId(nowMs),
        alertId: alert.id,
        channelId: target.id,
        channelKind: target.kind,
        purpose: 'alert' as const,
        dueAt: now,
        giveUpAt,
        createdAt: now,
      })),
    );
    if (targets.length > 0) await this.outbox.announceDue(trx);
    return alert;
  }
}
