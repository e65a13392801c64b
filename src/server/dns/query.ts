import dnsPacket, { type Question } from 'dns-packet';

/** The EDNS(0) options of a query that matter here. */
export interface EdnsInfo {
  udpPayloadSize: number;
  version: number;
  /** EDNS Client Subnet (RFC 7871): the network the resolver says the question came from. */
  clientSubnet?: string;
}

/** A query this server will answer: one question, opcode QUERY. */
export interface DnsQuery {
  id: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  /** The question as sent; its name keeps the sender's letter case (0x20 randomisation). */
  question: Question;
  edns: EdnsInfo | null;
}

export type ParsedQuery =
  | { outcome: 'query'; query: DnsQuery }
  /** Well-formed enough to tell the sender why it gets no answer. */
  | { outcome: 'refuse'; id: number; opcode: number; rcode: 'FORMERR' | 'NOTIMP' }
  /** Not a DNS query at all (too short, a response, undecodable): no reply, no harm. */
  | { outcome: 'drop' };

const QR_BIT = 0x8000;
const CD_BIT = 0x0010;
const RD_BIT = 0x0100;
const OPCODE_QUERY = 0;

function clientSubnetOf(options: dnsPacket.PacketOpt[]): string | undefined {
  for (const option of options) {
    if (option.code === 8 && 'ip' in option && option.ip) return `${option.ip}/${option.sourcePrefixLength ?? 0}`;
  }
  return undefined;
}

/**
 * The question name can be echoed exactly only when re-encoding it gives back the bytes sent:
 * labels with dots, non-ASCII bytes or an unknown class do not survive decoding as text.
 */
function questionSurvivesReencoding(packet: Buffer, question: Question): boolean {
  const encoded = dnsPacket.encode({ type: 'query', id: 0, questions: [question] });
  return encoded.subarray(12).equals(packet.subarray(12, encoded.length));
}

/** Reads a packet as a query. Never throws: whatever arrives, the result says what to do. */
export function parseQuery(packet: Buffer): ParsedQuery {
  if (packet.length < 12) return { outcome: 'drop' };
  const id = packet.readUInt16BE(0);
  const flags = packet.readUInt16BE(2);
  // Answering responses could loop two servers into each other.
  if (flags & QR_BIT) return { outcome: 'drop' };
  const opcode = (flags >> 11) & 0xf;
  let decoded: dnsPacket.DecodedPacket;
  try {
    decoded = dnsPacket.decode(packet);
  } catch {
    return { outcome: 'drop' };
  }
  if (opcode !== OPCODE_QUERY) return { outcome: 'refuse', id, opcode, rcode: 'NOTIMP' };
  const questions = decoded.questions ?? [];
  const question = questions[0];
  if (questions.length !== 1 || !question || (decoded.answers?.length ?? 0) > 0 || (decoded.authorities?.length ?? 0) > 0) {
    return { outcome: 'refuse', id, opcode, rcode: 'FORMERR' };
  }
  const opts = (decoded.additionals ?? []).filter((record): record is dnsPacket.OptAnswer => record.type === 'OPT');
  if (opts.length > 1 || !questionSurvivesReencoding(packet, question)) return { outcome: 'refuse', id, opcode, rcode: 'FORMERR' };
  const opt = opts[0];
  return {
    outcome: 'query',
    query: {
      id,
      recursionDesired: (flags & RD_BIT) !== 0,
      checkingDisabled: (flags & CD_BIT) !== 0,
      question,
      edns: opt ? { udpPayloadSize: opt.udpPayloadSize, version: opt.ednsVersion, clientSubnet: clientSubnetOf(opt.options ?? []) } : null,
    },
  };
}
