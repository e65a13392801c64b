import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { newTokenId } from '../../src/core/ids.js';
import { resolveQuestion } from '../../src/server/dns/resolve.js';
import { dnsZoneFrom } from '../../src/server/dns/zone.js';

const zone = dnsZoneFrom({ zone: 'Canary.Example.Test.', addresses: ['192.0.2.10', '2001:db8::10'] });
const ask = (name: string, type = 'A', klass = 'IN') => resolveQuestion(zone, { name, type, class: klass });

describe('zone resolution', () => {
  it('normalises the zone and names ns1.<zone> as nameserver by default', () => {
    assert.equal(zone.name, 'canary.example.test');
    assert.deepEqual(zone.nameservers, ['ns1.canary.example.test']);
    assert.equal(zone.soa.mname, 'ns1.canary.example.test');
    assert.equal(zone.soa.rname, 'hostmaster.canary.example.test');
  });

  it('answers SOA and NS at the apex authoritatively, with glue for in-zone nameservers', () => {
    const soa = ask('canary.example.test', 'SOA');
    assert.equal(soa.rcode, 'NOERROR');
    assert.equal(soa.authoritative, true);
    assert.equal(soa.answers[0]?.type, 'SOA');
    const ns = ask('canary.example.test', 'NS');
    assert.deepEqual(
      ns.answers.map((a) => a.type === 'NS' && a.data),
      ['ns1.canary.example.test'],
    );
    assert.deepEqual(
      ns.additionals.map((a) => [a.name, a.type]),
      [
        ['ns1.canary.example.test', 'A'],
        ['ns1.canary.example.test', 'AAAA'],
      ],
    );
  });

  it('answers A and AAAA for token names with the configured addresses and a zero TTL', () => {
    const id = newTokenId();
    const a = ask(`${id}.canary.example.test`, 'A');
    assert.deepEqual(
      a.answers.map((r) => r.type === 'A' && [r.data, r.ttl]),
      [['192.0.2.10', 0]],
    );
    assert.deepEqual(a.tokenName, { id, dataLabels: [] });
    const aaaa = ask(`${id}.canary.example.test`, 'AAAA');
    assert.deepEqual(
      aaaa.answers.map((r) => r.type === 'AAAA' && r.data),
      ['2001:db8::10'],
    );
  });

  it('treats every name under a token name as the token, with the labels in front as data', () => {
    const id = newTokenId();
    const resolution = ask(`nbswy3dp.mzxw6.${id}.canary.example.test`, 'TXT');
    assert.deepEqual(resolution.tokenName, { id, dataLabels: ['nbswy3dp', 'mzxw6'] });
    assert.equal(resolution.rcode, 'NOERROR');
    assert.equal(resolution.answers.length, 0, 'no TXT data: NODATA');
    assert.equal(resolution.authorities[0]?.type, 'SOA');
  });

  it('ignores letter case (resolvers randomise it) but answers with the name as asked', () => {
    const id = newTokenId();
    const name = `${id.toUpperCase()}.CaNaRy.ExAmPlE.tEsT`;
    const resolution = ask(name);
    assert.equal(resolution.tokenName?.id, id);
    assert.equal(resolution.answers[0]?.name, name);
  });

  it('says NXDOMAIN, with the SOA for negative caching, for names it does not know', () => {
    for (const name of ['www.canary.example.test', `${newTokenId()}x.canary.example.test`, 'a.b.canary.example.test']) {
      const resolution = ask(name);
      assert.equal(resolution.rcode, 'NXDOMAIN', name);
      assert.equal(resolution.authoritative, true);
      assert.equal(resolution.authorities[0]?.type, 'SOA');
      assert.equal(resolution.tokenName, undefined);
    }
  });

  it('refuses names outside the zone, including look-alike suffixes', () => {
    for (const name of ['example.test', 'evilcanary.example.test', 'example.com', '.']) {
      const resolution = ask(name);
      assert.equal(resolution.rcode, 'REFUSED', name);
      assert.equal(resolution.authoritative, false);
    }
  });

  it('answers the nameserver names and an empty non-terminal above them', () => {
    const deep = dnsZoneFrom({ zone: 'canary.example.test', addresses: ['192.0.2.10'], nameservers: ['a.ns.canary.example.test', 'ns.other.example'] });
    assert.deepEqual(
      resolveQuestion(deep, { name: 'a.ns.canary.example.test', type: 'A' }).answers.map((r) => r.type === 'A' && r.data),
      ['192.0.2.10'],
    );
    const between = resolveQuestion(deep, { name: 'ns.canary.example.test', type: 'A' });
    assert.equal(between.rcode, 'NOERROR');
    assert.equal(between.answers.length, 0);
    assert.equal(resolveQuestion(deep, { name: 'canary.example.test', type: 'NS' }).additionals.length, 1, 'no glue for an out-of-zone nameserver');
  });

  it('answers ANY with one synthesized HINFO record (RFC 8482) wherever a name exists, and NXDOMAIN where none does', () => {
    const id = newTokenId();
    for (const [name, ttl] of [
      [`data.${id}.canary.example.test`, 0],
      ['canary.example.test', 3600],
      ['ns1.canary.example.test', 3600],
    ] as const) {
      const any = ask(name, 'ANY');
      assert.equal(any.rcode, 'NOERROR');
      assert.deepEqual(any.answers, [{ name, type: 'HINFO', class: 'IN', ttl, data: { cpu: 'RFC8482', os: '' } }]);
      assert.deepEqual([any.authorities, any.additionals], [[], []]);
    }
    assert.deepEqual(ask(`${id}.canary.example.test`, 'ANY').tokenName, { id, dataLabels: [] }, 'an ANY question for a token name is still a hit');
    assert.equal(ask('nothing.canary.example.test', 'ANY').rcode, 'NXDOMAIN');
  });

  it('refuses classes other than IN and ANY but still sees the token name', () => {
    const id = newTokenId();
    const chaos = ask(`${id}.canary.example.test`, 'TXT', 'CH');
    assert.equal(chaos.rcode, 'REFUSED');
    assert.equal(chaos.tokenName?.id, id);
  });

  it('rejects zones and addresses that cannot work', () => {
    assert.throws(() => dnsZoneFrom({ zone: 'bad zone', addresses: [] }), ConfigError);
    assert.throws(() => dnsZoneFrom({ zone: 'a..b', addresses: [] }), ConfigError);
    assert.throws(() => dnsZoneFrom({ zone: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.test`, addresses: [] }), /too long/);
    assert.throws(() => dnsZoneFrom({ zone: 'canary.example.test', addresses: ['not-an-ip'] }), /--dns-address/);
  });
});
