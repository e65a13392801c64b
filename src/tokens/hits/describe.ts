import type { Hit, HitDescription } from '../../core/model/hit.js';
import { describeDnsHit } from './dns.js';
import { userAgentFacts } from './fact.js';
import { describeFileHit } from './file.js';
import { describeHttpHit } from './http.js';
import { describeMysqlHit, describeSmtpHit, describeSshHit, describeWireguardHit } from './listeners.js';

/**
 * A hit described by how it arrived: what every kind does unless it describes its own hits
 * (TokenKind.describeHit). Any token can be hit any way (a dns token's name fetched as a URL),
 * so a kind's own describer falls back to this one for the ways it does not know.
 */
export function describeByArrival(hit: Hit): HitDescription {
  const detail = hit.detail;
  switch (detail.type) {
    case 'http':
      return describeHttpHit(hit, detail);
    case 'dns':
      return describeDnsHit(detail);
    case 'file':
      return describeFileHit(detail);
    case 'ssh':
      return describeSshHit(detail);
    case 'mysql':
      return describeMysqlHit(detail);
    case 'smtp':
      return describeSmtpHit(detail);
    case 'wireguard':
      return describeWireguardHit(detail);
    case 'none':
      return { summary: '', facts: userAgentFacts(hit.userAgent) };
  }
}
