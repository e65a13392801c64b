import type { Logger } from 'pino';
import type { HitDetail } from '../core/model/hit-detail.js';
import { newRowId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { HitCommitted, HitWriter } from '../store/hit-writer.js';
import type { Hit } from '../store/repositories/hits.js';
import type { Token } from '../store/repositories/tokens.js';
import type { HitAnnotator, HitNotes } from './hit-annotator.js';
import type { LiveEventBus } from './live-events.js';
import type { ServerMetrics } from './metrics.js';

function pickToken(tokens: (Token | undefined)[]): Token | undefined {
  return tokens.find((token) => token?.enabled) ?? tokens.find((token) => token !== undefined);
}

export interface HitEvidence {
  /** IP address for network triggers, node name for file hits. */
  source: string;
  userAgent: string | null;
  detail: HitDetail;
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
    /** Enrichment of the source and the noise rule that mutes the hit, if one does. */
    private readonly annotator?: HitAnnotator,
  ) {}

  /**
   * The token the candidates name: the first enabled one, else the first disabled one (which still
   * answers as it did while live, and records nothing), else undefined. Every candidate is looked
   * up whichever of them names a token, so the work done does not tell them apart. Answered at once
   * when the lookups are cached (the common case under a flood), as a promise when the store is asked.
   */
  find(candidates: string[]): Token | undefined | Promise<Token | undefined> {
    // The common case, one id in the path: its lookup is the answer, without the arrays below.
    if (candidates.length === 1) return this.tokens.find(candidates[0]!);
    const found = candidates.map((id) => this.tokens.find(id));
    if (found.some((entry) => entry instanceof Promise)) return Promise.all(found).then(pickToken);
    return pickToken(found as (Token | undefined)[]);
  }

  /**
   * For a request that names no live token: waits for the group commit a hit would have joined,
   * without writing one, so the answer leaves exactly when a live hit's would. Rejects, like
   * record(), when that commit fails.
   */
  async withoutHit(): Promise<void> {
    try {
      await this.writer.barrier();
    } catch (error) {
      this.metrics.storeErrors.inc({ operation: 'commit_barrier' });
      this.log.error({ err: error }, 'the store could not commit');
      throw error;
    }
  }

  /** Resolves once the hit is durably committed. */
  record(token: Token, evidence: HitEvidence): Promise<Hit> {
    return new Promise<Hit>((resolve, reject) => this.submit(token, evidence, (error, hit) => (hit ? resolve(hit) : reject(error))));
  }

  /**
   * record() for the HTTP trigger's hot path: `done` is told once the hit is durably committed,
   * or why it could not be, without a promise per hit.
   */
  submit(token: Token, evidence: HitEvidence, done: HitCommitted): void {
    let notes: HitNotes | undefined;
    try {
      const receivedAt = isoNow();
      notes = this.annotator?.annotate(token, evidence);
      this.writer.submitHit(
        {
          id: evidence.id ?? newRowId(),
          tokenId: token.id,
          kind: token.kind,
          at: evidence.at ?? receivedAt,
          source: evidence.source,
          userAgent: evidence.userAgent,
          detail: evidence.detail,
          agentId: evidence.agentId ?? null,
          receivedAt,
          mutedBy: notes?.mutedBy ?? null,
          enrichment: notes?.enrichment ?? null,
        },
        evidence.id !== undefined,
        (error, hit) => {
          if (!hit) return this.failed(error, token, evidence, done);
          try {
            this.metrics.countHit(token.kind);
            if (hit.mutedBy) this.metrics.hitsMuted.inc({ rule_kind: hit.mutedBy.kind });
            if (notes) this.annotator?.afterCommit(hit, notes);
            this.events?.publish({ type: 'hit', hit });
          } catch (error) {
            // The hit is stored: bookkeeping that fails after the commit is logged, not reported as a lost hit.
            this.log.error({ err: error, hitId: hit.id }, 'bookkeeping after a stored hit failed');
          }
          done(undefined, hit);
        },
      );
    } catch (error) {
      this.failed(error, token, evidence, done);
    }
  }

  private failed(error: unknown, token: Token, evidence: HitEvidence, done: HitCommitted): void {
    this.metrics.storeErrors.inc({ operation: 'record_hit' });
    this.log.error({ err: error, tokenId: token.id, source: evidence.source }, 'could not store a hit');
    done(error);
  }
}
