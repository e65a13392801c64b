import type { Hit } from '../api/types';
import { visibleText } from '../../../src/core/visible-text';

/** Every string in a JSON value with hidden characters written out (keys stay as sent). */
function visibleJson(value: unknown): unknown {
  if (typeof value === 'string') return visibleText(value, true);
  if (Array.isArray(value)) return value.map(visibleJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visibleJson(item)]));
  return value;
}

/**
 * A hit as the dashboard shows it. Everything in a hit but its ids and times may come from the
 * attacker, so bidi overrides, zero-width and control characters are written out as <U+XXXX>
 * once, where hits arrive (page loads and the live stream), and every view shows the result.
 */
export function visibleHit(hit: Hit): Hit {
  return {
    ...hit,
    source: visibleText(hit.source),
    userAgent: hit.userAgent === null ? null : visibleText(hit.userAgent),
    detail: visibleJson(hit.detail) as Hit['detail'],
    // A PTR name is whatever the source's network owner put there.
    enrichment: hit.enrichment ? (visibleJson(hit.enrichment) as Hit['enrichment']) : hit.enrichment,
    mutedBy: hit.mutedBy ? (visibleJson(hit.mutedBy) as Hit['mutedBy']) : hit.mutedBy,
    summary: visibleText(hit.summary),
    facts: hit.facts.map((fact) => ({ ...fact, value: visibleText(fact.value, fact.long === true) })),
  };
}
