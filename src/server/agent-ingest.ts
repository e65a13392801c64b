import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { AgentEvent, Heartbeat } from '../core/agent-protocol.js';
import type { FileHitDetail } from '../core/model/hit-detail.js';
import { isTokenIdShape } from '../core/ids.js';
import { KeyedSerialQueue } from '../core/serial-queue.js';
import type { Agent, AgentRepository } from '../store/repositories/agents.js';
import type { HitRepository } from '../store/repositories/hits.js';
import type { Token, TokenRepository } from '../store/repositories/tokens.js';
import { summarizeFileObservation } from '../tokens/hits/file.js';
import { batchRefused, eventRefusals, heartbeatRefusal, type AgentReportRefused, type RefusalReason } from './agent-guard.js';
import type { HitRecorder } from './hit-recorder.js';
import type { ServerMetrics } from './metrics.js';

export interface IngestResult {
  /** Events stored as hits now. */
  accepted: number;
  /** Events whose id was already stored (a resend after a lost answer, or a spool replay). */
  duplicates: number;
  /** Events for no live file token: unknown, disabled or deleted tokens, or other kinds. */
  ignored: number;
}

/** The kind of token agent events belong to. Web-bug and DNS tokens named in a policy fire
 * through their own trigger (the agent's GetUrl and DnsLookup), so a Post for them would count
 * the same access twice. */
const AGENT_TOKEN_KIND = 'file';
/** A web bug's GetUrl aimed at this server is reported by the agent instead of fetched
 * (agent/own-trigger.ts): then the event is the web bug's one hit. */
const GETURL_TOKEN_KIND = 'http';

function takes(token: Token, event: AgentEvent): boolean {
  return token.kind === AGENT_TOKEN_KIND || (token.kind === GETURL_TOKEN_KIND && event.getUrl !== undefined);
}

/**
 * Turns a batch of agent events into file hits. Each event's id becomes its hit's id, so a resent
 * event is found by primary key and counted as a duplicate instead of stored again; the hits go
 * through the HitRecorder like every other trigger (same group commit, same alert decision).
 */
export class AgentIngest {
  private readonly refusedCount: Counter;

  constructor(
    private readonly hits: HitRepository,
    private readonly tokens: TokenRepository,
    private readonly recorder: HitRecorder,
    private readonly agents: AgentRepository,
    private readonly log: Logger,
    metrics: ServerMetrics,
  ) {
    this.refusedCount = metrics.counter(
      'tripline_agent_events_refused_total',
      'Agent events and heartbeats refused, by reason (other node, future time, token not in its policies)',
      ['reason'],
    );
  }

  /** One agent's batches, one at a time. */
  private readonly perAgent = new KeyedSerialQueue<string>();

  /**
   * `agent` is the key that sent the batch: its id is the agent's id. One agent's batches are
   * taken one at a time, so a resend racing its original (an agent restarted mid-request) finds
   * the original's hits by the lookup instead of colliding on the primary key in the hit writer,
   * where it would cost its neighbours a retry. Across server replicas the key still decides.
   * A batch with an event the key may not report (agent-guard.ts) is refused whole.
   */
  ingest(agent: { id: string; name: string }, events: AgentEvent[]): Promise<IngestResult> {
    return this.perAgent.run(agent.id, () => this.ingestNow(agent, events));
  }

  private async ingestNow(agent: { id: string; name: string }, events: AgentEvent[]): Promise<IngestResult> {
    const result: IngestResult = { accepted: 0, duplicates: 0, ignored: 0 };
    const fresh = new Map<string, AgentEvent>();
    for (const event of events) {
      if (fresh.has(event.id)) result.duplicates += 1;
      else fresh.set(event.id, event);
    }
    for (const id of await this.hits.storedIds([...fresh.keys()])) {
      fresh.delete(id);
      result.duplicates += 1;
    }
    // Checked after the duplicates are set aside: a resent event stored earlier stays answered as a
    // duplicate even if the policy that produced it has been unloaded since.
    const sender = await this.agents.forKey(agent.id, agent.name);
    const refused = eventRefusals(sender, fresh.values());
    if (refused.length > 0)
      throw this.refuse(
        sender,
        batchRefused(refused, events.length),
        refused.map((r) => r.reason),
      );
    const tokens = await this.liveFileTokens([...fresh.values()].map((e) => e.tokenId));
    const writes: Promise<'accepted' | 'duplicate'>[] = [];
    const ignoredTokens = new Set<string>();
    for (const event of fresh.values()) {
      const token = tokens.get(event.tokenId.toLowerCase());
      if (!token || !takes(token, event)) {
        result.ignored += 1;
        ignoredTokens.add(event.tokenId.slice(0, 64));
        continue;
      }
      writes.push(this.record(sender, token, event));
    }
    // All at once: the hit writer commits them together, so a batch costs one transaction.
    const outcomes = await Promise.allSettled(writes);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') result[outcome.value === 'accepted' ? 'accepted' : 'duplicates'] += 1;
    }
    await this.agents.recordEvents(agent.id, result.accepted, undefined, agent.name);
    if (ignoredTokens.size > 0) {
      this.log.info(
        { agentId: agent.id, ignored: result.ignored, tokens: [...ignoredTokens].slice(0, 20) },
        'agent events for no live file token were ignored',
      );
    }
    // What was stored stays stored; the agent sends the batch again and those count as duplicates.
    if (failure) throw failure.reason;
    return result;
  }

  /** Checks the node a heartbeat claims, then stores what it reports. */
  async heartbeat(key: { id: string; name: string }, heartbeat: Heartbeat): Promise<void> {
    const agent = await this.agents.forKey(key.id, key.name);
    const refused = heartbeatRefusal(agent, heartbeat.node);
    if (refused) throw this.refuse(agent, refused, ['other_node']);
    await this.agents.recordHeartbeat(agent.id, heartbeat, undefined, key.name);
    await this.afterHeartbeat?.(agent, heartbeat);
  }

  /** Told of each stored heartbeat with the agent as it was before it (liveness: silent, back, stopped). */
  afterHeartbeat: ((agent: Agent, heartbeat: Heartbeat) => Promise<void>) | undefined;

  /** Every refusal is logged and counted by reason (tripline_agent_events_refused_total). */
  private refuse(agent: Agent, error: AgentReportRefused, refused: RefusalReason[]): AgentReportRefused {
    const reasons: Record<string, number> = {};
    for (const reason of refused) reasons[reason] = (reasons[reason] ?? 0) + 1;
    for (const [reason, n] of Object.entries(reasons)) this.refusedCount.inc({ reason }, n);
    // Waiting for a heartbeat is routine; anything else is a misconfigured agent or a stolen key.
    const level = error.retryable ? 'info' : 'warn';
    this.log[level](
      { agentId: agent.id, agent: agent.name, enrolledNode: agent.enrolledNode, reasons, status: error.status, reason: error.message },
      'agent report refused',
    );
    return error;
  }

  private async record(agent: Agent, token: Token, event: AgentEvent): Promise<'accepted' | 'duplicate'> {
    const detail: FileHitDetail = {
      type: 'file',
      node: event.node,
      policy: event.policy,
      hook: event.hook,
      actions: event.actions,
      summary: summarizeFileObservation(event),
    };
    if (event.access) detail.access = event.access;
    if (event.tamper) detail.tamper = event.tamper;
    try {
      await this.recorder.record(token, {
        id: event.id,
        source: event.node,
        userAgent: null,
        detail,
        at: (event.access ?? event.tamper)!.time,
        agentId: agent.id,
      });
      return 'accepted';
    } catch (error) {
      // Two copies of one event in flight at once on two replicas both pass the lookup above;
      // the primary key lets only one in.
      if ((await this.hits.storedIds([event.id])).length > 0) return 'duplicate';
      throw error;
    }
  }

  /** Enabled tokens of kind file or http among the ids, by id; junk ids never reach the store. */
  private async liveFileTokens(ids: string[]): Promise<Map<string, Token>> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()).filter(isTokenIdShape))];
    const found = new Map<string, Token>();
    for (const id of wanted) {
      const token = await this.tokens.find(id);
      if (token?.enabled && (token.kind === AGENT_TOKEN_KIND || token.kind === GETURL_TOKEN_KIND)) found.set(id, token);
    }
    return found;
  }
}
