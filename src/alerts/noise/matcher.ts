import { BlockList } from 'node:net';
import { addRange, inRanges, parseAddressRange } from '../../core/address-range.js';
import type { Enrichment } from '../../core/model/enrichment.js';
import type { HitDetailType } from '../../core/model/hit-detail.js';
import type { Mute, NoiseRule } from '../../core/model/noise.js';
import { knownScanner, literalPattern } from './known-scanners.js';

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
  const parts = pattern.toLowerCase().split('*').map(literalPattern);
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

/** Which quick test a rule's own test sits behind (see RuleList). */
type Gate = 'address' | 'user-agent' | 'none';

function compile(rule: NoiseRule): { test: Test; gate: Gate } {
  switch (rule.kind) {
    case 'cidr':
    case 'resolver': {
      const list = new BlockList();
      const range = parseAddressRange(rule.pattern);
      if (range) addRange(list, range);
      const dnsOnly = rule.kind === 'resolver';
      return { gate: 'address', test: (subject) => ((!dnsOnly || subject.detailType === 'dns') && inRanges(list, subject.source) ? '' : undefined) };
    }
    case 'user-agent': {
      const pattern = userAgentPattern(rule.pattern);
      return { gate: 'user-agent', test: (subject) => (subject.userAgent !== null && pattern.test(subject.userAgent) ? '' : undefined) };
    }
    case 'asn': {
      const asn = parseAsn(rule.pattern);
      return { gate: 'none', test: (subject) => (asn !== undefined && subject.enrichment?.asn === asn ? '' : undefined) };
    }
    case 'known-scanners':
      return { gate: 'none', test: (subject) => (subject.userAgent === null ? undefined : knownScanner(subject.userAgent)) };
  }
}

/**
 * One scope's rules, oldest first. Most hits match no rule, and testing each rule on its own costs
 * a microsecond or so per address rule: every address rule's range is also in one list, and every
 * user-agent pattern in one expression, so a hit that matches none of them is told so by one test
 * each, and only a hit that passes one is tried rule by rule (in order, so the oldest match wins).
 */
class RuleList {
  readonly rules: Compiled[] = [];
  private readonly addresses = new BlockList();
  private readonly userAgents: string[] = [];
  private anyUserAgent: RegExp | undefined;

  add(rule: NoiseRule): void {
    const { test, gate } = compile(rule);
    this.rules.push({ rule, test, gate });
    if (gate === 'address') {
      const range = parseAddressRange(rule.pattern);
      if (range) addRange(this.addresses, range);
    }
    if (gate === 'user-agent') {
      this.userAgents.push(userAgentPattern(rule.pattern).source);
      this.anyUserAgent = undefined;
    }
  }

  match(subject: NoiseSubject): Compiled | undefined {
    if (this.rules.length === 0) return undefined;
    let addressOpen: boolean | undefined;
    let userAgentOpen: boolean | undefined;
    for (const compiled of this.rules) {
      if (compiled.gate === 'address') {
        addressOpen ??= inRanges(this.addresses, subject.source);
        if (!addressOpen) continue;
      } else if (compiled.gate === 'user-agent') {
        this.anyUserAgent ??= new RegExp(this.userAgents.map((source) => `(?:${source})`).join('|'), 'i');
        userAgentOpen ??= subject.userAgent !== null && this.anyUserAgent.test(subject.userAgent);
        if (!userAgentOpen) continue;
      }
      const matched = compiled.test(subject);
      if (matched !== undefined) return { ...compiled, matched } as Compiled & { matched: string };
    }
    return undefined;
  }
}

interface Compiled {
  rule: NoiseRule;
  test: Test;
  gate: Gate;
  /** Set on the copy match() returns: the listed service, or ''. */
  matched?: string;
}

/**
 * The noise rules in force, compiled once: a token's own rules are tried before the global ones,
 * each list oldest first, and the first that matches is the one the hit records.
 */
export class NoiseMatcher {
  private readonly global = new RuleList();
  private readonly byToken = new Map<string, RuleList>();

  constructor(rules: NoiseRule[]) {
    for (const rule of rules) {
      if (rule.tokenId === null) this.global.add(rule);
      else {
        let list = this.byToken.get(rule.tokenId);
        if (!list) {
          list = new RuleList();
          this.byToken.set(rule.tokenId, list);
        }
        list.add(rule);
      }
    }
  }

  get empty(): boolean {
    return this.global.rules.length === 0 && this.byToken.size === 0;
  }

  match(subject: NoiseSubject): Mute | null {
    const found = this.byToken.get(subject.tokenId)?.match(subject) ?? this.global.match(subject);
    if (!found) return null;
    const { rule, matched } = found;
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
