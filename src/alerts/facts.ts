import type { Enrichment } from '../core/model/enrichment.js';
import type { Fact, Hit } from '../core/model/hit.js';
import { MAX_FOLDED_KEYS } from '../store/repositories/alerts.js';
import { describeHit } from '../tokens/registry.js';
import type { AlertMessage } from './message.js';

export type { Fact };

/**
 * The evidence of a hit as labelled facts, most telling first: when and from where, then what
 * the token's kind says about it (src/tokens/hits/, TokenKind.describeHit).
 */
export function hitFacts(hit: Hit): Fact[] {
  return [{ label: 'Time', value: hit.at }, { label: 'Source', value: hit.source }, ...sourceFacts(hit.enrichment), ...describeHit(hit).facts];
}

/** What the server's databases said about the source (absent fields left out). */
export function sourceFacts(enrichment: Enrichment | null | undefined): Fact[] {
  if (!enrichment) return [];
  const facts: Fact[] = [];
  const place = [enrichment.city, enrichment.countryName ?? enrichment.country].filter(Boolean).join(', ');
  if (place) facts.push({ label: 'Location', value: enrichment.country && enrichment.countryName ? `${place} (${enrichment.country})` : place });
  if (enrichment.asn !== undefined) facts.push({ label: 'Network', value: `AS${enrichment.asn}${enrichment.asOrg ? ` ${enrichment.asOrg}` : ''}` });
  if (enrichment.hostname) facts.push({ label: 'Host name', value: enrichment.hostname });
  return facts;
}

const TAMPER_WORDS: Record<string, string> = {
  deleted: 'deleted',
  renamed: 'renamed',
  replaced: 'replaced',
  mode_changed: 'permissions changed',
  modified: 'modified',
  unreachable: 'no longer reachable at its path',
};

/** "3 more sources"; a digest stops remembering keys at MAX_FOLDED_KEYS, so from there on it is "at least". */
function moreSources(n: number): string {
  return `${n >= MAX_FOLDED_KEYS ? 'at least ' : ''}${n} more ${n === 1 ? 'source' : 'sources'}`;
}

/** The message's headline: what happened, in one line. */
export function headline(message: AlertMessage): string {
  // An agent's alert (silent, back, stopped) keeps its whole headline in the memo.
  if (message.token.kind === 'agent') return message.token.memo;
  switch (message.purpose) {
    case 'digest':
      if (message.moreSources > 0) return `${moreSources(message.moreSources)} on token: ${message.token.memo}`;
      return `${message.moreHits} more ${message.moreHits === 1 ? 'hit' : 'hits'} on token: ${message.token.memo}`;
    case 'test':
      return `Tripline test alert: ${message.token.memo}`;
    default: {
      const detail = message.firstHit.detail;
      const tamper = detail.type === 'file' ? detail.tamper : undefined;
      if (tamper) return `Decoy ${TAMPER_WORDS[tamper.change] ?? 'changed'}: ${message.token.memo}`;
      return `Canary token triggered: ${message.token.memo}`;
    }
  }
}

/** One sentence under the headline; plain text with attacker input (the source) in it. */
export function summary(message: AlertMessage): string {
  const who = message.firstHit.source;
  if (message.token.kind === 'agent') return `${message.token.memo} (at ${message.firstHit.at}).`;
  if (message.purpose === 'digest' && message.moreSources > 0) {
    return `${message.moreHits} ${message.moreHits === 1 ? 'hit' : 'hits'} from ${moreSources(message.moreSources)} beyond the alerts already sent for this window, the first from ${who} at ${message.firstHit.at}, the last at ${message.lastHitAt}.`;
  }
  if (message.purpose === 'digest') {
    return `${message.moreHits} more ${message.moreHits === 1 ? 'hit' : 'hits'} from ${who} after the first at ${message.firstHit.at}; ${message.hitCount} in all, the last at ${message.lastHitAt}.`;
  }
  const what = describeHit(message.firstHit).summary;
  return `The ${message.token.kind} token "${message.token.memo}" was triggered by ${who} at ${message.firstHit.at}${what ? `: ${what}` : ''}.`;
}
