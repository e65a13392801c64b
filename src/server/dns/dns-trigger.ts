import type { Logger } from 'pino';
import type { DnsHitDetail } from '../../core/model/hit-detail.js';
import { decodeDnsData } from '../../tokens/dns.js';
import type { HitRecorder } from '../hit-recorder.js';
import { parseQuery, type DnsQuery } from './query.js';
import { resolveQuestion, type Resolution } from './resolve.js';
import { encodeRefusal, encodeResponse, type DnsTransport } from './response.js';
import { isInZone, type DnsZone } from './zone.js';

export interface DnsOutcome {
  reply?: Buffer;
  rcode?: string;
}

/**
 * Turns one DNS message into its reply, recording a hit when the question names a live token.
 * The hit is committed before the reply goes out, as for HTTP triggers, and a question naming an
 * unknown or disabled id waits for the same commit; the reply itself does not depend on whether
 * the token exists.
 */
export class DnsTrigger {
  constructor(
    private readonly zone: DnsZone,
    private readonly recorder: HitRecorder,
    private readonly log: Logger,
    /** TXT answers of pending ACME DNS-01 challenges (`_acme-challenge.<name>`), when TLS is by ACME. */
    private readonly acmeTxt?: (name: string) => Promise<string[]>,
  ) {}

  /** `answered` false: the reply will be withheld (rate limit), so only a live token's hit matters. */
  async handle(packet: Buffer, source: string, transport: DnsTransport, answered = true): Promise<DnsOutcome> {
    const parsed = parseQuery(packet);
    if (parsed.outcome === 'drop') return {};
    if (parsed.outcome === 'refuse') return { reply: encodeRefusal(parsed.id, parsed.opcode, parsed.rcode), rcode: parsed.rcode };
    const resolution = (await this.acmeAnswer(parsed.query)) ?? resolveQuestion(this.zone, parsed.query.question);
    if (resolution.tokenName) await this.record(parsed.query, resolution.tokenName, source, transport, answered);
    return { reply: encodeResponse(parsed.query, resolution, transport), rcode: resolution.rcode };
  }

  /** A DNS-01 challenge's TXT records while one is pending; otherwise the name answers as any other. */
  private async acmeAnswer(query: DnsQuery): Promise<Resolution | undefined> {
    const { name, type } = query.question;
    const lower = name.toLowerCase().replace(/\.$/, '');
    if (!this.acmeTxt || type !== 'TXT' || !lower.startsWith('_acme-challenge.') || !isInZone(lower, this.zone.name)) return undefined;
    const values = await this.acmeTxt(lower).catch(() => []);
    if (values.length === 0) return undefined;
    return {
      rcode: 'NOERROR',
      authoritative: true,
      answers: values.map((data) => ({ name, type: 'TXT', class: 'IN', ttl: 0, data })),
      authorities: [],
      additionals: [],
    };
  }

  private async record(
    query: DnsQuery,
    tokenName: NonNullable<Resolution['tokenName']>,
    source: string,
    transport: DnsTransport,
    answered: boolean,
  ): Promise<void> {
    try {
      const token = await this.recorder.find([tokenName.id]);
      if (!token?.enabled) {
        // No answer goes out, so there is no time to match.
        if (answered) await this.recorder.withoutHit();
        return;
      }
      const name = query.question.name.toLowerCase().replace(/\.$/, '');
      const qtype = query.question.type;
      const detail: DnsHitDetail = {
        type: 'dns',
        qtype,
        qclass: query.question.class ?? 'IN',
        name,
        transport,
        data: null,
        summary: `DNS ${qtype} ${name} via ${transport}`,
      };
      if (tokenName.dataLabels.length > 0) {
        const data = decodeDnsData(tokenName.dataLabels);
        detail.data = data.text;
        detail.dataLabels = data.labels;
        if (data.base64 !== null) detail.dataBase64 = data.base64;
      }
      if (query.edns?.clientSubnet) detail.clientSubnet = query.edns.clientSubnet;
      await this.recorder.record(token, { source, userAgent: null, detail });
    } catch (error) {
      // The store is down or slow: answer anyway (the recorder has logged and counted it), so a
      // resolver sees nothing unusual.
      this.log.debug({ err: error, tokenId: tokenName.id }, 'dns hit not recorded');
    }
  }
}
