import { isIP } from 'node:net';
import { ConfigError } from '../../core/errors.js';
import { TOKEN_ID_LENGTH } from '../../core/ids.js';

/** What the operator configures: the zone, the addresses token names resolve to, the NS names. */
export interface DnsZoneSettings {
  zone: string;
  /** IPv4 and IPv6 addresses answered for token names, the apex and in-zone nameservers. */
  addresses: string[];
  /** Names of the zone's nameservers, as the parent delegates to them; default ns1.<zone>. */
  nameservers?: string[];
  /** The email tokens' mail domain: answered with an MX record when it lies in the zone. */
  mailDomain?: string;
}

/** The zone as the resolver uses it: normalised names and the records it answers with. */
export interface DnsZone {
  /** Lower case, no trailing dot. */
  name: string;
  labelCount: number;
  nameservers: string[];
  ipv4: string[];
  ipv6: string[];
  soa: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
  mailDomain?: string;
}

/** TTLs chosen for a canary: token answers are not cached, so every use reaches the server. */
export const DNS_TTL = {
  token: 0,
  /** NS, SOA, apex and nameserver addresses: stable, so resolvers may keep them an hour. */
  zone: 3600,
  /** How long resolvers cache "no such name" (the SOA minimum, RFC 2308). */
  negative: 60,
} as const;

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** Room a zone must leave for `<data>.<id>.` within the 253-character limit of a name. */
const ROOM_FOR_TOKENS = TOKEN_ID_LENGTH + 1 + 32;

/** Lower-cases a DNS name, drops a trailing dot and checks every label. */
export function normalizeDnsName(text: string, what: string): string {
  const name = text.trim().toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  if (name.length === 0 || name.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw new ConfigError(`${what} "${text}" is not a DNS name (labels of letters, digits and "-", dot-separated)`, { value: text });
  }
  return name;
}

/** True when name (lower case) is the zone or a name under it. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

export function dnsZoneFrom(settings: DnsZoneSettings): DnsZone {
  const name = normalizeDnsName(settings.zone, '--dns-zone');
  if (name.length > 253 - ROOM_FOR_TOKENS) {
    throw new ConfigError(`--dns-zone "${name}" is too long to leave room for token names under it (at most ${253 - ROOM_FOR_TOKENS} characters)`);
  }
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const address of settings.addresses) {
    const family = isIP(address);
    if (family === 4) ipv4.push(address);
    else if (family === 6) ipv6.push(address);
    else throw new ConfigError(`--dns-address "${address}" is not an IPv4 or IPv6 address`, { value: address });
  }
  const nameservers = (settings.nameservers?.length ? settings.nameservers : [`ns1.${name}`]).map((ns) => normalizeDnsName(ns, '--dns-nameservers'));
  return {
    ...(settings.mailDomain ? { mailDomain: normalizeDnsName(settings.mailDomain, '--mail-domain') } : {}),
    name,
    labelCount: name.split('.').length,
    nameservers,
    ipv4,
    ipv6,
    soa: {
      mname: nameservers[0]!,
      rname: `hostmaster.${name}`,
      // The zone's content is computed, never transferred: one constant serial keeps every
      // replica's SOA identical.
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 1_209_600,
      minimum: DNS_TTL.negative,
    },
  };
}

/** Nameservers inside the zone: the parent needs glue for them, and this server answers it. */
export function inZoneNameservers(zone: DnsZone): string[] {
  return zone.nameservers.filter((ns) => isInZone(ns, zone.name));
}
