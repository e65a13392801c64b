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
  return [{ label: 'Time', value: hit.at }, { label: 'Source', value: hit.source }, ...describeHit(hit).facts];
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
  if (message.purpose === 'digest' && message.moreSources > 0) {
    return `${message.moreHits} ${message.moreHits === 1 ? 'hit' : 'hits'} from ${moreSources(message.moreSources)} beyond the alerts already sent for this window, the first from ${who} at ${message.firstHit.at}, the last at ${message.lastHitAt}.`;
  }
  if (message.purpose === 'digest') {
    return `${message.moreHits} more ${message.moreHits === 1 ? 'hit' : 'hits'} from ${who} after the first at ${message.firstHit.at}; ${message.hitCount} in all, the last at ${message.lastHitAt}.`;
  }
  const what = describeHit(message.firstHit).summary;
  return `The ${message.token.kind} token "${message.token.memo}" was triggered by ${who} at ${message.firstHit.at}${what ? `: ${what}` : ''}.`;
}
