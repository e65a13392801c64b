import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { DnsQuery } from './query.js';
import type { Resolution } from './resolve.js';

export type DnsTransport = 'udp' | 'tcp';

const RCODES = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** The UDP payload size DNS Flag Day 2020 recommends: no IP fragmentation on common paths. */
const EDNS_UDP_SIZE = 1232;
const PLAIN_UDP_SIZE = 512;
/** EDNS BADVERS (16): the upper eight bits go in the OPT record, the lower four (0) in the header. */
const BADVERS_EXTENDED = 1;

function optRecord(extendedRcode = 0): Answer {
  return { name: '.', type: 'OPT', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

function flags(query: DnsQuery, rcode: number, authoritative: boolean, truncated = false): number {
  return (
    (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    (query.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0) |
    (query.checkingDisabled ? dnsPacket.CHECKING_DISABLED : 0) |
    rcode
  );
}

/** Largest reply the client can take over this transport. */
function sizeLimit(query: DnsQuery, transport: DnsTransport): number {
  if (transport === 'tcp') return 65_535;
  return query.edns ? Math.max(PLAIN_UDP_SIZE, Math.min(query.edns.udpPayloadSize, EDNS_UDP_SIZE)) : PLAIN_UDP_SIZE;
}

/** The reply to a query: the question echoed as sent, the resolution's records, EDNS when asked. */
export function encodeResponse(query: DnsQuery, resolution: Resolution, transport: DnsTransport): Buffer {
  const base: Packet = { type: 'response', id: query.id, questions: [query.question] };
  if (query.edns && query.edns.version !== 0) {
    return dnsPacket.encode({ ...base, flags: flags(query, 0, false), additionals: [optRecord(BADVERS_EXTENDED)] });
  }
  const opt = query.edns ? [optRecord()] : [];
  const full = dnsPacket.encode({
    ...base,
    flags: flags(query, RCODES[resolution.rcode], resolution.authoritative),
    answers: resolution.answers,
    authorities: resolution.authorities,
    additionals: [...resolution.additionals, ...opt],
  });
  if (full.length <= sizeLimit(query, transport)) return full;
  // Too big for UDP: say so, and the client retries over TCP (RFC 7766).
  return dnsPacket.encode({ ...base, flags: flags(query, RCODES[resolution.rcode], resolution.authoritative, true), additionals: opt });
}

/** A header-only reply for a query this server will not process (FORMERR, NOTIMP). */
export function encodeRefusal(id: number, opcode: number, rcode: 'FORMERR' | 'NOTIMP'): Buffer {
  const packet = Buffer.alloc(12);
  packet.writeUInt16BE(id, 0);
  packet.writeUInt16BE(0x8000 | (opcode << 11) | RCODES[rcode], 2);
  return packet;
}
