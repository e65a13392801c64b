import type { HttpHitDetail } from '../../core/model/hit-detail.js';
import type { Fact, Hit, HitDescription } from '../../core/model/hit.js';
import { fact, userAgentFacts } from './fact.js';

const MAX_HEADERS = 30;

function requestLine(detail: HttpHitDetail): string {
  return `${detail.method} ${detail.path}${detail.query ? `?${detail.query}` : ''}`;
}

/**
 * A hit by HTTP request: the web bug's fetch, and a credential client's call (git, kubectl, an
 * AWS SDK ...), whose trigger wrote a summary naming the credential it presented.
 */
export function describeHttpHit(hit: Hit, detail: HttpHitDetail): HitDescription {
  const facts: Fact[] = [];
  if (detail.summary) facts.push(fact('What', detail.summary));
  facts.push(...userAgentFacts(hit.userAgent), fact('Request', requestLine(detail)));
  const headers = Object.entries(detail.headers)
    .slice(0, MAX_HEADERS)
    .map(([name, value]) => `${name}: ${value}`);
  if (headers.length > 0) facts.push(fact('Headers', headers.join('\n'), true));
  return { summary: detail.summary || requestLine(detail), facts };
}
