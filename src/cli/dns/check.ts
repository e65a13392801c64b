import type { SoaData } from 'dns-packet';
import { newTokenId } from '../../core/ids.js';
import { isInZone } from '../../server/dns/zone.js';
import { DnsQueryFailed, queryDns, type DnsReply, type DnsServerAddress } from './client.js';

export type FindingStatus = 'ok' | 'warning' | 'problem';

export interface Finding {
  status: FindingStatus;
  check: string;
  detail: string;
  /** What to change when the status is not ok. */
  fix?: string;
}

export interface ZoneCheckReport {
  zone: string;
  /** direct: questions to the given server; resolver: the way the world sees the zone. */
  mode: 'direct' | 'resolver';
  servers: string[];
  ok: boolean;
  findings: Finding[];
}

const show = (server: DnsServerAddress) => (server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`);

function parentOf(zone: string): string {
  return zone.split('.').slice(1).join('.') || '.';
}

function delegationFix(zone: string): string {
  return (
    `add at the parent zone (${parentOf(zone)}): "${zone}. IN NS ns1.${zone}." and the glue "ns1.${zone}. IN A <public IPv4 of the Tripline server>", ` +
    `then run tripline server --dns-zone ${zone} --dns-address <that IPv4> --dns-port 53 --dns-host 0.0.0.0`
  );
}

function portFix(zone: string, server: DnsServerAddress): string {
  return (
    `port ${server.port} is not reachable on ${server.host}: run tripline server --dns-zone ${zone} --dns-port ${server.port} there ` +
    `(--dns-host to bind that address) and allow UDP and TCP ${server.port} through the firewall`
  );
}

function soaRecords(reply: DnsReply): { name: string; data: SoaData }[] {
  return reply.answers.flatMap((answer) => (answer.type === 'SOA' ? [{ name: answer.name, data: answer.data }] : []));
}

function nsNames(reply: DnsReply): string[] {
  return reply.answers.flatMap((answer) => (answer.type === 'NS' ? [answer.data] : []));
}

function addressesIn(reply: DnsReply): string[] {
  return reply.answers.flatMap((answer) => (answer.type === 'A' || answer.type === 'AAAA' ? [answer.data] : []));
}

async function attempt<T>(run: () => Promise<T>): Promise<T | DnsQueryFailed> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DnsQueryFailed) return error;
    throw error;
  }
}

/** Asks the server itself: is it there, authoritative for the zone, and answering like Tripline? */
export async function checkServer(zone: string, server: DnsServerAddress): Promise<Finding[]> {
  const findings: Finding[] = [];
  const where = show(server);
  const soa = await attempt(() => queryDns(server, zone, 'SOA'));
  if (soa instanceof DnsQueryFailed) {
    const tcp = await attempt(() => queryDns(server, zone, 'SOA', { transport: 'tcp' }));
    const detail =
      tcp instanceof DnsQueryFailed
        ? `no DNS answer from ${where} over UDP or TCP (${soa.failure.replace('_', ' ')})`
        : `${where} answers over TCP but not over UDP`;
    return [{ status: 'problem', check: 'reachable', detail, fix: portFix(zone, server) }];
  }
  if (soa.rcode === 'REFUSED') {
    return [
      {
        status: 'problem',
        check: 'zone served',
        detail: `${where} refuses questions for ${zone}: it is not configured for this zone`,
        fix: `start the server with --dns-zone ${zone} (check the spelling against the server's log line "dns server listening"), or point --server at the host that serves ${zone}`,
      },
    ];
  }
  if (!soa.authoritative) {
    return [
      {
        status: 'problem',
        check: 'authoritative',
        detail: `${where} answered ${soa.rcode} without authority: it is a resolver or another server, not the zone's nameserver`,
        fix: `query the Tripline server itself (--server <its address>), and make sure the NS records of ${zone} name it`,
      },
    ];
  }
  const soaData = soaRecords(soa)[0]?.data;
  if (soa.rcode !== 'NOERROR' || !soaData) {
    return [
      {
        status: 'problem',
        check: 'zone served',
        detail: `${where} is authoritative but answered ${soa.rcode} with no SOA for ${zone}: it serves a different zone`,
        fix: `start Tripline with --dns-zone ${zone}`,
      },
    ];
  }
  findings.push({
    status: 'ok',
    check: 'SOA',
    detail: `${where} is authoritative for ${zone}: SOA ${soaData.mname} ${soaData.rname} serial ${soaData.serial}`,
  });

  const tcp = await attempt(() => queryDns(server, zone, 'SOA', { transport: 'tcp' }));
  findings.push(
    tcp instanceof DnsQueryFailed
      ? {
          status: 'problem',
          check: 'TCP',
          detail: `no answer over TCP (${tcp.failure.replace('_', ' ')})`,
          fix: `allow TCP port ${server.port} as well as UDP: resolvers retry over TCP when an answer is truncated`,
        }
      : { status: 'ok', check: 'TCP', detail: 'answers over TCP as well as UDP' },
  );

  const ns = await attempt(() => queryDns(server, zone, 'NS'));
  const nameservers = ns instanceof DnsQueryFailed ? [] : nsNames(ns);
  if (nameservers.length === 0) {
    findings.push({
      status: 'problem',
      check: 'NS',
      detail: `no NS records for ${zone}`,
      fix: `restart Tripline with --dns-zone ${zone} (--dns-nameservers to name the NS hosts)`,
    });
  } else {
    findings.push({ status: 'ok', check: 'NS', detail: `NS ${nameservers.join(', ')}` });
    for (const nameserver of nameservers.filter((name) => isInZone(name.toLowerCase(), zone))) {
      const address = await attempt(() => queryDns(server, nameserver, 'A'));
      const addresses = address instanceof DnsQueryFailed ? [] : addressesIn(address);
      findings.push(
        addresses.length > 0
          ? { status: 'ok', check: 'glue', detail: `${nameserver} has address ${addresses.join(', ')}; the parent zone needs the same glue` }
          : {
              status: 'warning',
              check: 'glue',
              detail: `${nameserver} is inside ${zone} but has no address`,
              fix: `start the server with --dns-address <its public IP>, and add the glue "${nameserver}. IN A <that IP>" at ${parentOf(zone)}`,
            },
      );
    }
  }

  const tokenName = `${newTokenId()}.${zone}`;
  const token = await attempt(() => queryDns(server, tokenName, 'A'));
  if (token instanceof DnsQueryFailed || token.rcode !== 'NOERROR') {
    findings.push({
      status: 'problem',
      check: 'token names',
      detail: `a token-shaped name (${tokenName}) got ${token instanceof DnsQueryFailed ? token.failure.replace('_', ' ') : token.rcode}`,
      fix: `${where} answers ${zone} but is not Tripline's DNS server (or an old one): point it at tripline server --dns-zone ${zone}`,
    });
  } else {
    const addresses = addressesIn(token);
    findings.push(
      addresses.length > 0
        ? { status: 'ok', check: 'token names', detail: `token-shaped names resolve (${tokenName} -> ${addresses.join(', ')})` }
        : {
            status: 'warning',
            check: 'token names',
            detail: 'token-shaped names answer without an address (the hit is still recorded)',
            fix: 'set --dns-address so programs that connect after resolving reach the server as well',
          },
    );
  }
  return findings;
}

/** Follows the zone the way the world does: through recursive resolvers, then each nameserver. */
export async function checkThroughResolvers(zone: string, resolvers: DnsServerAddress[]): Promise<Finding[]> {
  let resolver: DnsServerAddress | undefined;
  let soa: DnsReply | undefined;
  for (const candidate of resolvers) {
    const reply = await attempt(() => queryDns(candidate, zone, 'SOA', { recursion: true, timeoutMs: 4000 }));
    if (!(reply instanceof DnsQueryFailed)) {
      resolver = candidate;
      soa = reply;
      break;
    }
  }
  if (!resolver || !soa) {
    return [
      {
        status: 'problem',
        check: 'resolver',
        detail: `no resolver answered (${resolvers.map(show).join(', ') || 'none configured'})`,
        fix: 'check /etc/resolv.conf or pass --resolver <IP>; --server <nameserver IP> checks the Tripline server directly',
      },
    ];
  }
  const via = show(resolver);
  if (soa.rcode === 'NXDOMAIN') {
    return [{ status: 'problem', check: 'delegation', detail: `${zone} does not exist in DNS (NXDOMAIN from ${via})`, fix: delegationFix(zone) }];
  }
  if (soa.rcode === 'SERVFAIL' || soa.rcode === 'REFUSED') {
    return [
      {
        status: 'problem',
        check: 'delegation',
        detail: `resolvers cannot get answers for ${zone} (${soa.rcode} from ${via}): the NS records point at servers that do not answer for it`,
        fix: `port 53 must reach Tripline (UDP and TCP) on the addresses the NS records name, and Tripline must run with --dns-zone ${zone}; check one with --server <address>`,
      },
    ];
  }
  const soaRecord = soaRecords(soa).find((record) => record.name.toLowerCase().replace(/\.$/, '') === zone);
  if (!soaRecord) {
    return [{ status: 'problem', check: 'delegation', detail: `${zone} is not delegated: its parent answers for it`, fix: delegationFix(zone) }];
  }
  const findings: Finding[] = [{ status: 'ok', check: 'delegation', detail: `${zone} resolves through ${via}` }];
  const ns = await attempt(() => queryDns(resolver, zone, 'NS', { recursion: true, timeoutMs: 4000 }));
  const nameservers = ns instanceof DnsQueryFailed ? [] : nsNames(ns);
  for (const nameserver of nameservers) {
    const lookup = await attempt(() => queryDns(resolver, nameserver, 'A', { recursion: true, timeoutMs: 4000 }));
    const addresses = lookup instanceof DnsQueryFailed ? [] : addressesIn(lookup);
    if (addresses.length === 0) {
      findings.push({
        status: 'problem',
        check: 'nameserver',
        detail: `${nameserver} has no address`,
        fix: `add "${nameserver}. IN A <Tripline's public IP>" (glue at ${parentOf(zone)} when it is inside ${zone})`,
      });
    }
    for (const address of addresses) {
      const direct = await checkServer(zone, { host: address, port: 53 });
      findings.push(...direct.map((finding) => ({ ...finding, check: `${nameserver} ${finding.check}` })));
    }
  }
  return findings;
}

export async function checkZone(zone: string, target: { server?: DnsServerAddress; resolvers: DnsServerAddress[] }): Promise<ZoneCheckReport> {
  const findings = target.server ? await checkServer(zone, target.server) : await checkThroughResolvers(zone, target.resolvers);
  return {
    zone,
    mode: target.server ? 'direct' : 'resolver',
    servers: (target.server ? [target.server] : target.resolvers).map(show),
    ok: findings.every((finding) => finding.status !== 'problem'),
    findings,
  };
}
