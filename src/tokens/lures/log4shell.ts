import type { Hit, HitDescription } from '../../core/model/hit.js';
import { requireDnsZone } from '../dns.js';
import { describeByArrival } from '../hits/describe.js';
import { fact } from '../hits/fact.js';
import type { TokenKind } from '../kind.js';
import { configString } from '../options.js';

/** The label after the host name, as canarytokens' log4shell token has it: `x<host>.L4J.<token>`. */
const MARKER = 'l4j';

/** The looked-up host's name, from a question for `x<host>.l4j.<id>.<zone>`; null for any other name. */
export function log4jHostName(name: string, tokenId: string): string | null {
  const labels = name.toLowerCase().split('.');
  const at = labels.indexOf(tokenId);
  if (at < 2 || labels[at - 1] !== MARKER) return null;
  const host = labels.slice(0, at - 1).join('.');
  // The "x" keeps the label from starting with a character a name cannot (or from being empty).
  return host.startsWith('x') ? host.slice(1) : host;
}

function describeLog4jHit(hit: Hit): HitDescription {
  const described = describeByArrival(hit);
  if (hit.detail.type !== 'dns') return described;
  const host = log4jHostName(hit.detail.name, hit.tokenId);
  if (host === null) return described;
  return { summary: `log4j lookup on host ${host || '(no name)'}`, facts: [fact('Host name', host || '(empty)'), ...described.facts] };
}

/**
 * A log4j JNDI lookup string: a vulnerable logger that logs it resolves a name under the token
 * carrying its own host name (`x${hostName}.L4J.<id>.<zone>`), which fires the token and names the host.
 */
export const log4shellTokenKind: TokenKind = {
  kind: 'log4shell',
  title: 'Log4Shell string: alerts with the host name when a vulnerable logger logs it',
  prepare(_id, _input, context) {
    return { zone: requireDnsZone(context, 'log4shell') };
  },
  artifact(token, context) {
    const hostname = `${token.id}.${configString(token.config, 'zone', context.dnsZone ?? 'invalid')}`;
    const lookup = `\${jndi:ldap://x\${hostName}.L4J.${hostname}/a}`;
    return {
      hostname,
      file: { name: 'log4shell.txt', content: `${lookup}\n`, mode: 0o644 },
      usage: `Put ${lookup} where a Java service logs it (a user agent, a form field, a header); a vulnerable log4j resolves the name, which fires the token with the host's name.`,
    };
  },
  describeHit: describeLog4jHit,
};
