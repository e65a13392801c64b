import type { NoiseService } from '../alerts/noise/noise-service.js';
import type { Enrichment } from '../core/model/enrichment.js';
import type { Mute } from '../core/model/noise.js';
import type { Token } from '../store/repositories/tokens.js';
import type { SourceEnricher } from './enrichment/source-enricher.js';
import type { HitEvidence } from './hit-recorder.js';

export interface HitNotes {
  mutedBy: Mute | null;
  enrichment: Enrichment | null;
}

/**
 * What the server adds to a hit before it is written: what its own databases know of the source,
 * then the noise rule that mutes it (rules may look at the enrichment, e.g. the ASN). Synchronous
 * and from memory: a hit never waits on a lookup that could stall or fail.
 */
export class HitAnnotator {
  constructor(
    private readonly noise: NoiseService,
    private readonly enricher?: SourceEnricher,
  ) {}

  annotate(token: Token, evidence: HitEvidence): HitNotes {
    const enrichment = evidence.agentId === undefined ? (this.enricher?.lookup(evidence.source) ?? null) : null;
    const matcher = this.noise.current();
    const mutedBy = matcher.empty
      ? null
      : matcher.match({ tokenId: token.id, source: evidence.source, userAgent: evidence.userAgent, detailType: evidence.detail.type, enrichment });
    return { mutedBy, enrichment };
  }
}
