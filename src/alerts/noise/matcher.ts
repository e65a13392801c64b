import { BlockList } from 'node:net';
import { addRange, inRanges, parseAddressRange } from '../../core/address-range.js';
import type { Enrichment } from '../../core/model/enrichment.js';
import type { HitDetailType } from '../../core/model/hit-detail.js';
import type { Mute, NoiseRule } from '../../core/model/noise.js';
import { knownScanner } from './known-scanners.js';

/** What a rule may look at: the hit as it is about to be recorded. */
export interface NoiseSubject {
  tokenId: string;
  /** An IP address for network hits; a node name for file hits (no address rule matches those). */
  source: string;
  userAgent: string | null;
  detailType: HitDetailType;
  enrichment?: Enrichment | null;
}

/** A rule ready to test: undefined when it does not match, else the listed service it found (or ''). */
type Test = (subject: NoiseSubject) => string | undefined;

/** A user-agent pattern as a test: text found anywhere, case-insensitive, `*` standing for any text. */
export function userAgentPattern(pattern: string): RegExp {
  const parts = pattern.toLowerCase().split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Literal text joined by ".*", never nested; the service allows few stars (MAX_STARS), which
  // bounds the backtracking over a long user agent.
  return new RegExp(parts.join('.*'), 'i');
}

/** "AS64500" or "64500" as a number; undefined when it is neither. */
export function parseAsn(text: string): number | undefined {
  const match = /^(?:AS)?(\d{1,10})$/i.exec(text.trim());
  const asn = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(asn) && asn >= 0 && asn <= 4_294_967_295 ? asn : undefined;
}

function compile(rule: NoiseRule): Test {
  switch (rule.kind) {
    case 'cidr':
    case 'resolver': {
      const list = new BlockList();
      const range = parseAddressRange(rule.pattern);
      if (range) addRange(list, range);
      const dnsOnly = rule.kind === 'resolver';
      return (subject) => ((!dnsOnly || subject.detailType === 'dns') && inRanges(list, subject.source) ? '' : undefined);
    }
    case 'user-agent': {
      const pattern = userAgentPattern(rule.pattern);
      return (subject) => (subject.userAgent !== null && pattern.test(subject.userAgent) ? '' : undefined);
    }
    case 'asn': {
      const asn = parseAsn(rule.pattern);
      return (subject) => (asn !== undefined && subject.enrichment?.asn === asn ? '' : undefined);
    }
    case 'known-scanners':
      return (subject) => (subject.userAgent === null ? undefined : knownScanner(subject.userAgent));
  }
}

interface Compiled {
  rule: NoiseRule;
  test: Test;
}

/**
 * The noise rules in force, compiled once: a token's own rules are tried before the global ones,
 * each list oldest first, and the first that matches is the one the hit records.
 */
export class NoiseMatcher {
  private readonly global: Compiled[] = [];
  private readonly byToken = new Map<string, Compiled[]>();

  constructor(rules: NoiseRule[]) {
    for (const rule of rules) {
      const compiled = { rule, test: compile(rule) };
      if (rule.tokenId === null) this.global.push(compiled);
      else this.byToken.set(rule.tokenId, [...(this.byToken.get(rule.tokenId) ?? []), compiled]);
    }
  }

  get empty(): boolean {
    return this.global.length === 0 && this.byToken.size === 0;
  }

  match(subject: NoiseSubject): Mute | null {
    for (const candidates of [this.byToken.get(subject.tokenId) ?? [], this.global]) {
      for (const { rule, test } of candidates) {
        const matched = test(subject);
        if (matched === undefined) continue;
        return {
          ruleId: rule.id,
          kind: rule.kind,
          pattern: rule.pattern,
          scope: rule.tokenId === null ? 'global' : 'token',
          note: rule.note,
          ...(matched ? { matched } : {}),
        };
      }
    }
    return null;
  }
}
