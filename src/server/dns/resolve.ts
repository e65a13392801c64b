import type { Answer } from 'dns-packet';
import { isTokenIdShape } from '../../core/ids.js';
import { resolveMail } from './mail.js';
import { DNS_TTL, inZoneNameservers, isInZone, type DnsZone } from './zone.js';

export type DnsRcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

/** What to answer, and which token name (if any) the question touched. */
export interface Resolution {
  rcode: DnsRcode;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** Set for `<id>.<zone>` and every name under it, whether or not the id is a live token. */
  tokenName?: { id: string; dataLabels: string[] };
}

const CLASSES_ANSWERED = new Set(['IN', 'ANY']);

function addresses(zone: DnsZone, owner: string, type: string, ttl: number): Answer[] {
  const v4: Answer[] = zone.ipv4.map((data) => ({ name: owner, type: 'A', class: 'IN', ttl, data }));
  const v6: Answer[] = zone.ipv6.map((data) => ({ name: owner, type: 'AAAA', class: 'IN', ttl, data }));
  if (type === 'A') return v4;
  if (type === 'AAAA') return v6;
  if (type === 'ANY') return [...v4, ...v6];
  return [];
}

function soaRecord(zone: DnsZone, ttl: number): Answer {
  return { name: zone.name, type: 'SOA', class: 'IN', ttl, data: zone.soa };
}

function nsRecords(zone: DnsZone, owner: string): Answer[] {
  return zone.nameservers.map((data) => ({ name: owner, type: 'NS', class: 'IN', ttl: DNS_TTL.zone, data }));
}

/** Addresses of in-zone nameservers, so a resolver that follows the NS records can reach them. */
function glue(zone: DnsZone): Answer[] {
  return inZoneNameservers(zone).flatMap((ns) => addresses(zone, ns, 'ANY', DNS_TTL.zone));
}

function authoritative(zone: DnsZone, answers: Answer[], additionals: Answer[] = []): Resolution {
  // No data of the asked type: NOERROR with the SOA in authority, so resolvers cache the absence
  // for the SOA minimum (RFC 2308).
  const authorities = answers.length === 0 ? [soaRecord(zone, DNS_TTL.negative)] : [];
  return { rcode: 'NOERROR', authoritative: true, answers, authorities, additionals };
}

/**
 * What every name that exists answers to QTYPE ANY: one synthesized HINFO record (RFC 8482 4.2),
 * whatever the transport. A full ANY answer is the classic amplification payload, and nobody
 * needs one from a canary zone.
 */
function minimalAny(zone: DnsZone, owner: string, ttl: number): Resolution {
  return authoritative(zone, [{ name: owner, type: 'HINFO', class: 'IN', ttl, data: { cpu: 'RFC8482', os: '' } }]);
}

function apexAnswer(zone: DnsZone, owner: string, type: string): Resolution {
  if (type === 'SOA') return authoritative(zone, [{ ...soaRecord(zone, DNS_TTL.zone), name: owner }]);
  if (type === 'NS') return authoritative(zone, nsRecords(zone, owner), glue(zone));
  if (type === 'ANY') return minimalAny(zone, owner, DNS_TTL.zone);
  return authoritative(zone, addresses(zone, owner, type, DNS_TTL.zone));
}

/**
 * Answers one question for the zone. The answer depends only on the question's shape: a
 * token-shaped label gets the same answer whether or not a token has that id, so the DNS server
 * is no oracle for which ids exist.
 */
export function resolveQuestion(zone: DnsZone, question: { name: string; type: string; class?: string }): Resolution {
  const name = question.name.toLowerCase().replace(/\.$/, '');
  if (!isInZone(name, zone.name)) {
    return { rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [] };
  }
  const relative = name === zone.name ? [] : name.split('.').slice(0, -zone.labelCount);
  const topLabel = relative[relative.length - 1];
  const tokenName = topLabel !== undefined && isTokenIdShape(topLabel) ? { id: topLabel, dataLabels: relative.slice(0, -1) } : undefined;
  if (!CLASSES_ANSWERED.has(question.class ?? 'IN')) {
    return { rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [], tokenName };
  }
  const owner = question.name;
  const mail = resolveMail(zone, name, owner, question.type);
  if (mail) return mail;
  if (relative.length === 0) return apexAnswer(zone, owner, question.type);
  if (tokenName) {
    const answer = question.type === 'ANY' ? minimalAny(zone, owner, DNS_TTL.token) : authoritative(zone, addresses(zone, owner, question.type, DNS_TTL.token));
    return { ...answer, tokenName };
  }
  if (zone.nameservers.includes(name)) {
    return question.type === 'ANY' ? minimalAny(zone, owner, DNS_TTL.zone) : authoritative(zone, addresses(zone, owner, question.type, DNS_TTL.zone));
  }
  // A name that only exists as the parent of a nameserver's name (an empty non-terminal).
  if (zone.nameservers.some((ns) => ns.endsWith(`.${name}`))) return authoritative(zone, []);
  return { rcode: 'NXDOMAIN', authoritative: true, answers: [], authorities: [soaRecord(zone, DNS_TTL.negative)], additionals: [] };
}
