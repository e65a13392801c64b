import type { NoiseService } from '../alerts/noise/noise-service.js';
import type { Enrichment } from '../core/model/enrichment.js';
import type { Mute } from '../core/model/noise.js';
import type { Logger } from 'pino';
import type { Hit } from '../store/repositories/hits.js';
import type { Token } from '../store/repositories/tokens.js';
import type { SourceEnricher } from './enrichment/source-enricher.js';
import type { HitEvidence } from './hit-recorder.js';

export interface HitNotes {
  mutedBy: Mute | null;
  enrichment: Enrichment | null;
  /** A reverse lookup this hit started: its name, once in, is added to the stored hit. */
  hostnameLater?: Promise<string | null>;
}

/** Adds a late-found host name to a stored hit's enrichment. */
export type StoreHostname = (hit: Hit, enrichment: Enrichment) => Promise<void>;

const NO_NOTES: HitNotes = Object.freeze({ mutedBy: null, enrichment: null });

/**
 * What the server adds to a hit before it is written: what its own databases know of the source,
 * then the noise rule that mutes it (rules may look at the enrichment, e.g. the ASN). Synchronous
 * and from memory: a hit never waits on a lookup that could stall or fail.
 */
export class HitAnnotator {
  constructor(
    private readonly noise: NoiseService,
    private readonly enricher?: SourceEnricher,
    private readonly storeHostname?: StoreHostname,
    private readonly log?: Logger,
  ) {}

  annotate(token: Token, evidence: HitEvidence): HitNotes {
    const matcher = this.noise.current();
    // The common case (no databases configured, no rules): one shared answer, nothing made per hit.
    if (!this.enricher && matcher.empty) return NO_NOTES;
    const { enrichment, hostnameLater } = evidence.agentId === undefined && this.enricher ? this.enricher.lookup(evidence.source) : { enrichment: null };
    const mutedBy = matcher.empty
      ? null
      : matcher.match({ tokenId: token.id, source: evidence.source, userAgent: evidence.userAgent, detailType: evidence.detail.type, enrichment });
    return { mutedBy, enrichment, hostnameLater };
  }

  /** Once the hit is stored: gives it the host name its reverse lookup finds, if any. */
  afterCommit(hit: Hit, notes: HitNotes): void {
    const store = this.storeHostname;
    if (!notes.hostnameLater || !store) return;
    void notes.hostnameLater
      .then((hostname) => (hostname ? store(hit, { ...hit.enrichment, hostname }) : undefined))
      .catch((error: unknown) => this.log?.warn({ err: error, hit: hit.id }, 'could not add the host name to a hit'));
  }
}
