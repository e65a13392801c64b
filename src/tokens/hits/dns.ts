import type { DnsHitDetail } from '../../core/model/hit-detail.js';
import type { Fact, HitDescription } from '../../core/model/hit.js';
import { fact } from './fact.js';

/** A hit by DNS question: the name asked, how, and any data packed in front of the token's name. */
export function describeDnsHit(detail: DnsHitDetail): HitDescription {
  const facts: Fact[] = [fact('What', detail.summary), fact('Query', `${detail.qtype} ${detail.qclass} ${detail.name}`), fact('Transport', detail.transport)];
  if (detail.data !== null) facts.push(fact('Data', detail.data, true));
  else if (detail.dataBase64) facts.push(fact('Data (base64)', detail.dataBase64, true));
  if (detail.clientSubnet) facts.push(fact('Client subnet', detail.clientSubnet));
  return { summary: detail.summary, facts };
}
