import type { CredentialClientKind, HttpHitDetail, PresentedCredential, StoredCredential } from '../../core/model/hit-detail.js';
import type { Fact, Hit, HitDescription } from '../../core/model/hit.js';
import type { Token } from '../../core/model/token.js';
import { matchDecoyCredential } from '../decoy-credentials.js';
import { describeByArrival } from './describe.js';
import { fact } from './fact.js';

const CLIENT_LABEL: Record<CredentialClientKind, string> = { git: 'git', kubernetes: 'Kubernetes client', aws: 'AWS client', api: 'API client' };

/** Whose credential it claims to be: " user "deploy"", " key AKIA...", " system:serviceaccount:...", or nothing. */
function claimedBy(credential: StoredCredential | PresentedCredential): string {
  if (credential.user) return ` user "${credential.user}"`;
  if (credential.accessKeyId) return ` key ${credential.accessKeyId}`;
  return credential.subject ? ` ${credential.subject}` : '';
}

/**
 * What a hit by a credential client adds to the HTTP detail: the client, the credential without
 * its secret, which of the token's decoy credentials it was, and the one line the hit keeps.
 */
export function credentialHitDetail(
  token: Token,
  client: { kind: CredentialClientKind; credential?: PresentedCredential },
  method: string,
  path: string,
): Pick<HttpHitDetail, 'client' | 'credential' | 'summary'> {
  const base = `${CLIENT_LABEL[client.kind]} ${method} ${path}`;
  if (!client.credential) return { client: client.kind, credential: null, summary: `${base} without credentials` };
  const { secret: _secret, ...visible } = client.credential;
  const decoy = matchDecoyCredential(token, client.credential);
  const label = `${client.credential.scheme}${claimedBy(client.credential)}${decoy ? ` (${decoy})` : " (not this decoy's)"}`;
  return { client: client.kind, credential: { ...visible, decoy }, summary: `${base} with ${label}` };
}

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
    facts.push(fact('Credential', `${credential.scheme}${claimedBy(credential)} (${credential.carrier})`));
    facts.push(fact('Decoy credential', credential.decoy ?? "none of this token's"));
  } else {
    facts.push(fact('Credential', 'none presented'));
  }
  return { summary: described.summary, facts: [...described.facts, ...facts] };
}
