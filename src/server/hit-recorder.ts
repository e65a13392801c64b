import type { Logger } from 'pino';
import { isoNow } from '../core/time.js';
import type { HitWriter } from '../store/hit-writer.js';
import type { Hit } from '../store/repositories/hits.js';
import type { Token } from '../store/repositories/tokens.js';
import type { LiveEventBus } from './live-events.js';
import type { ServerMetrics } from './metrics.js';

export interface HitEvidence {
  /** IP address for network triggers, node name for file hits. */
  source: string;
  userAgent: string | null;
  detail: Record<string, unknown>;
  /** When it happened; defaults to now (agents send their own event time). */
  at?: string;
  /** The hit's id when the trigger has one (an agent's event id, for dedupe); else a new one. */
  id?: string;
  /** The agent that reported it, for hits from agent events. */
  agentId?: string;
}

/**
 * The one way every trigger (HTTP, DNS, credential use, agent events) turns evidence into a stored
 * hit: find a live token, write the hit through the group-committing writer, count it.
 */
export class HitRecorder {
  constructor(
    /** Token lookup for triggers: the short-lived cache (tokens.live), not the store itself. */
    private readonly tokens: { find(id: string): Token | undefined | Promise<Token | undefined> },
    private readonly writer: HitWriter,
    private readonly metrics: ServerMetrics,
    private readonly log: Logger,
    /** Told of each hit once it is committed, for live dashboards. */
    private readonly events?: LiveEventBus,
  ) {}

  /**
   * The first candidate id that names an enabled token, or undefined. Answered at once when the
   * lookups are cached (the common case under a flood), as a promise only when the store is asked.
   */
  findLive(candidates: string[], from = 0): Token | undefined | Promise<Token | undefined> {
    for (let i = from; i < candidates.length; i++) {
      const found = this.tokens.find(candidates[i]!);
      if (found instanceof Promise) return found.then((token) => (token?.enabled ? token : this.findLive(candidates, i + 1)));
      if (found?.enabled) return found;
    }
    return undefined;
  }

  /** Resolves once the hit is durably committed. */
  async record(token: Token, evidence: HitEvidence): Promise<Hit> {
    try {
      const receivedAt = isoNow();
      const hit = await this.writer.write({
        id: evidence.id,
        tokenId: token.id,
        kind: token.kind,
        at: evidence.at ?? receivedAt,
        source: evidence.source,
        userAgent: evidence.userAgent,
        detail: evidence.detail,
        agentId: evidence.agentId ?? null,
        receivedAt,
      });
      this.metrics.countHit(token.kind);
      this.events?.publish({ type: 'hit', hit });
      return hit;
    } catch (error) {
      this.metrics.storeErrors.inc({ operation: 'record_hit' });
      this.log.error({ err: error, tokenId: token.id, source: evidence.source }, 'could not store a hit');
      throw error;
    }
  }
}
