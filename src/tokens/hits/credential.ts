import type { Fact, Hit, HitDescription } from '../../core/model/hit.js';
import { describeByArrival } from './describe.js';
import { fact } from './fact.js';

/**
 * A decoy credential's hit: an HTTP hit whose trigger recognised the client (git, kubectl, an
 * AWS SDK ...) and the credential it presented; the facts add which of the token's decoy
 * credentials it was, or that it was none of them (a guess is evidence too).
 */
export function describeCredentialHit(hit: Hit): HitDescription {
  const described = describeByArrival(hit);
  const detail = hit.detail;
  if (detail.type !== 'http' || !detail.client) return described;
  const facts: Fact[] = [fact('Client', detail.client)];
  const credential = detail.credential;
  if (credential) {
    const who = credential.user ?? credential.accessKeyId ?? credential.subject;
    facts.push(fact('Credential', `${credential.scheme}${who ? ` ${who}` : ''} (${credential.carrier})`));
    facts.push(fact('Decoy credential', credential.decoy ?? 'none of this token\'s'));
  } else {
    facts.push(fact('Credential', 'none presented'));
  }
  return { summary: described.summary, facts: [...described.facts, ...facts] };
}
