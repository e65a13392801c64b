import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { filteredOut, parseFilters } from '../../src/alerts/channel-filters.js';
import { KNOWN_SCANNERS, knownScanner } from '../../src/alerts/noise/known-scanners.js';
import { NoiseMatcher, parseAsn, userAgentPattern, type NoiseSubject } from '../../src/alerts/noise/matcher.js';
import type { NoiseRule } from '../../src/core/model/noise.js';

let next = 0;
function rule(fields: Partial<NoiseRule> & Pick<NoiseRule, 'kind'>): NoiseRule {
  next += 1;
  return { id: `rule${next}`, tokenId: null, pattern: '', note: '', createdAt: '2030-01-01T00:00:00.000Z', ...fields };
}

function subject(fields: Partial<NoiseSubject> = {}): NoiseSubject {
  return { tokenId: 'tok', source: '203.0.113.5', userAgent: 'curl/8.5.0', detailType: 'http', enrichment: null, ...fields };
}

describe('noise rule matching', () => {
  test('cidr rules match IPv4 and IPv6 sources of network hits, never node names', () => {
    const matcher = new NoiseMatcher([rule({ kind: 'cidr', pattern: '198.51.100.0/24' }), rule({ kind: 'cidr', pattern: '2001:db8::/32' })]);
    assert.equal(matcher.match(subject({ source: '198.51.100.200' }))?.pattern, '198.51.100.0/24');
    assert.equal(matcher.match(subject({ source: '198.51.101.1' })), null);
    assert.equal(matcher.match(subject({ source: '2001:db8:1::7', detailType: 'dns' }))?.pattern, '2001:db8::/32');
    assert.equal(matcher.match(subject({ source: 'node-1', detailType: 'file', userAgent: null })), null);
  });

  test('resolver rules match DNS hits only', () => {
    const matcher = new NoiseMatcher([rule({ kind: 'resolver', pattern: '192.0.2.53' })]);
    assert.equal(matcher.match(subject({ source: '192.0.2.53', detailType: 'dns' }))?.kind, 'resolver');
    assert.equal(matcher.match(subject({ source: '192.0.2.53', detailType: 'http' })), null);
  });

  test('user-agent patterns: anywhere, any case, * for any text, other characters literal', () => {
    assert.ok(userAgentPattern('python-requests/*').test('Python-Requests/2.32.3'));
    assert.ok(userAgentPattern('nuclei').test('Mozilla/5.0 (compatible; Nuclei - Open-source project)'));
    assert.ok(userAgentPattern('a*c').test('xxabbbcxx'));
    assert.ok(!userAgentPattern('a.c').test('abc'), 'a dot is a dot');
    assert.ok(!userAgentPattern('(x)+').test('xx'), 'parentheses and + are literal');
    const matcher = new NoiseMatcher([rule({ kind: 'user-agent', pattern: 'zgrab*' })]);
    assert.equal(matcher.match(subject({ userAgent: 'Mozilla/5.0 zgrab/0.x' }))?.kind, 'user-agent');
    assert.equal(matcher.match(subject({ userAgent: null })), null);
  });

  test('asn rules match the enrichment, and nothing without it', () => {
    assert.equal(parseAsn('AS64500'), 64500);
    assert.equal(parseAsn('as64500'), 64500);
    assert.equal(parseAsn('64500'), 64500);
    assert.equal(parseAsn('AS-1'), undefined);
    assert.equal(parseAsn('4294967296'), undefined);
    const matcher = new NoiseMatcher([rule({ kind: 'asn', pattern: 'AS64500' })]);
    assert.equal(matcher.match(subject({ enrichment: { asn: 64500 } }))?.kind, 'asn');
    assert.equal(matcher.match(subject({ enrichment: { asn: 64501 } })), null);
    assert.equal(matcher.match(subject()), null);
  });

  test('known scanners name the listed service, and every listed user agent is recognised', () => {
    const matcher = new NoiseMatcher([rule({ kind: 'known-scanners', note: 'previews' })]);
    const mute = matcher.match(subject({ userAgent: 'Mozilla/5.0 (Windows NT 10.0) SkypeUriPreview Preview/0.5' }));
    assert.equal(mute?.matched, 'Microsoft Teams / Skype');
    assert.equal(mute?.note, 'previews');
    assert.equal(matcher.match(subject({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' })), null);
    for (const scanner of KNOWN_SCANNERS) for (const piece of scanner.userAgents) assert.ok(knownScanner(`x ${piece.toUpperCase()} y`), piece);
  });

  test("a token's own rules come first, then the global ones, each oldest first", () => {
    const global = rule({ kind: 'cidr', pattern: '203.0.113.0/24' });
    const own = rule({ kind: 'user-agent', pattern: 'curl', tokenId: 'tok' });
    const other = rule({ kind: 'cidr', pattern: '0.0.0.0/0', tokenId: 'another' });
    const matcher = new NoiseMatcher([global, own, other]);
    assert.deepEqual(matcher.match(subject()), { ruleId: own.id, kind: 'user-agent', pattern: 'curl', scope: 'token', note: '' });
    assert.equal(matcher.match(subject({ userAgent: 'wget' }))?.ruleId, global.id);
    assert.equal(matcher.match(subject({ tokenId: 'third', source: '192.0.2.1' })), null, "another token's rule does not apply");
  });

  test('among rules of different kinds that all match, the oldest wins', () => {
    const agent = rule({ kind: 'user-agent', pattern: 'curl/*' });
    const range = rule({ kind: 'cidr', pattern: '203.0.113.0/24' });
    const scanners = rule({ kind: 'known-scanners' });
    assert.equal(new NoiseMatcher([agent, range]).match(subject())?.ruleId, agent.id);
    assert.equal(new NoiseMatcher([range, agent]).match(subject())?.ruleId, range.id);
    assert.equal(new NoiseMatcher([scanners, range]).match(subject({ userAgent: 'Slackbot 1.0' }))?.ruleId, scanners.id);
    // Many rules of one kind, and a hit that only the last of them matches.
    const many = Array.from({ length: 50 }, (_, i) => rule({ kind: 'cidr', pattern: `10.${i}.0.0/16` }));
    const agents = Array.from({ length: 10 }, (_, i) => rule({ kind: 'user-agent', pattern: `tool-${i}*` }));
    const matcher = new NoiseMatcher([...many, ...agents]);
    assert.equal(matcher.match(subject({ source: '10.49.3.3' }))?.ruleId, many[49]!.id);
    assert.equal(matcher.match(subject({ userAgent: 'TOOL-9 x' }))?.ruleId, agents[9]!.id);
    assert.equal(matcher.match(subject({ source: '10.50.0.1', userAgent: 'tool-x' })), null);
  });
});

describe('channel filters', () => {
  const token = { kind: 'http', severity: 'medium' as const, tags: ['prod', 'team:web'] };

  test('each filter given must hold; none given takes everything', () => {
    assert.equal(filteredOut({}, token), null);
    assert.equal(filteredOut({ minSeverity: 'medium' }, token), null);
    assert.equal(filteredOut({ minSeverity: 'high' }, token), "token severity medium is below the channel's minimum high");
    assert.equal(filteredOut({ tags: ['team:db', 'prod'] }, token), null);
    assert.match(filteredOut({ tags: ['team:db'] }, token) ?? '', /none of the channel's tags/);
    assert.match(filteredOut({ kinds: ['dns'] }, token) ?? '', /kind http is not one of/);
    assert.match(filteredOut({ minSeverity: 'low', kinds: ['dns'] }, token) ?? '', /kind/);
  });

  test('stored filters that cannot be read filter nothing, rather than losing alerts', () => {
    assert.deepEqual(parseFilters('{"minSeverity":"high"}'), { minSeverity: 'high' });
    assert.deepEqual(parseFilters('not json'), {});
    assert.deepEqual(parseFilters('{"minSeverity":"urgent"}'), {});
  });
});
