import { DNS_TTL, isInZone, type DnsZone } from './zone.js';
import type { Resolution } from './resolve.js';

/** The mail host of a mail domain: the MX target the zone answers, with the zone's addresses. */
export function mailExchangeOf(mailDomain: string): string {
  return `mx.${mailDomain}`;
}

function answered(zone: DnsZone, answers: Resolution['answers'], additionals: Resolution['answers'] = []): Resolution {
  const authorities: Resolution['authorities'] =
    answers.length === 0 ? [{ name: zone.name, type: 'SOA', class: 'IN', ttl: DNS_TTL.negative, data: zone.soa }] : [];
  return { rcode: 'NOERROR', authoritative: true, answers, authorities, additionals };
}

function hostAddresses(zone: DnsZone, owner: string, type: string): Resolution['answers'] {
  const v4 =
    type === 'A' || type === 'ANY' ? zone.ipv4.map((data) => ({ name: owner, type: 'A' as const, class: 'IN' as const, ttl: DNS_TTL.zone, data })) : [];
  const v6 =
    type === 'AAAA' || type === 'ANY' ? zone.ipv6.map((data) => ({ name: owner, type: 'AAAA' as const, class: 'IN' as const, ttl: DNS_TTL.zone, data })) : [];
  return [...v4, ...v6];
}

/**
 * Answers for the email tokens' mail domain when it lies in the zone: its MX names the mail host,
 * and the mail host resolves to the zone's addresses. Undefined for every other question, which
 * the zone answers as before.
 */
export function resolveMail(zone: DnsZone, name: string, owner: string, type: string): Resolution | undefined {
  const domain = zone.mailDomain;
  if (domain === undefined || !isInZone(domain, zone.name)) return undefined;
  const exchange = mailExchangeOf(domain);
  if (name === domain && type === 'MX') {
    return answered(
      zone,
      [{ name: owner, type: 'MX', class: 'IN', ttl: DNS_TTL.zone, data: { preference: 10, exchange } }],
      hostAddresses(zone, exchange, 'ANY'),
    );
  }
  if (name === exchange) return answered(zone, hostAddresses(zone, owner, type));
  // The domain exists (it has an MX): other types are empty answers, not "no such name".
  if (name === domain && name !== zone.name) return answered(zone, []);
  return undefined;
}
