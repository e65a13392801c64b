import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { dnsNameWithData } from '../../src/tokens/dns.js';
import { startDnsTestServer, ZONE } from '../dns/support.js';
import { alertsOf, hitsOf } from '../support/api.js';
import { dig } from './dns-support.js';

describe('dns tokens fired with dig', () => {
  let server: Awaited<ReturnType<typeof startDnsTestServer>>;
  let token: { id: string; hostname: string };
  before(async () => {
    server = await startDnsTestServer(['127.0.0.1', '::1']);
    const created = await server.api('POST', '/tokens', { kind: 'dns', memo: 'hostname in the wiki' });
    assert.equal(created.status, 201);
    token = created.body;
  });
  after(() => server.close());

  it('hands out <id>.<zone> through the API', () => {
    assert.equal(token.hostname, `${token.id}.${ZONE}`);
  });

  it('dig <id>.<zone> gets the address and records a hit with the resolver address, and an alert names the token', async () => {
    const answer = await dig(server.dnsPort, [token.hostname]);
    assert.equal(answer.status, 'NOERROR');
    assert.ok(answer.flags.includes('aa'));
    assert.deepEqual(
      answer.answers.map((r) => [r.name, r.type, r.data]),
      [[`${token.hostname}.`, 'A', '127.0.0.1']],
    );
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.source, '127.0.0.1');
    assert.equal(hit.kind, 'dns');
    assert.deepEqual([hit.detail.qtype, hit.detail.name, hit.detail.transport, hit.detail.data], ['A', token.hostname, 'udp', null]);
    const alerts = await alertsOf(server, token.id);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].tokenId, token.id);
    assert.equal(alerts[0].tokenMemo, 'hostname in the wiki');
  });

  it("dig SOA <zone> gets the zone's SOA, authoritatively", async () => {
    const answer = await dig(server.dnsPort, ['SOA', ZONE]);
    assert.equal(answer.status, 'NOERROR');
    assert.ok(answer.flags.includes('aa'));
    assert.equal(answer.answers.length, 1);
    const [mname, rname, serial, refresh, retry, expire, minimum] = answer.answers[0]!.data.split(' ');
    assert.deepEqual([answer.answers[0]!.name, answer.answers[0]!.type], [`${ZONE}.`, 'SOA']);
    assert.deepEqual([mname, rname], [`ns1.${ZONE}.`, `hostmaster.${ZONE}.`]);
    assert.ok(Number(serial) >= 1);
    assert.deepEqual([refresh, retry, expire, minimum].map(Number), [3600, 600, 1209600, 60]);
  });

  it('dig NS <zone> names the nameserver and gives its glue', async () => {
    const answer = await dig(server.dnsPort, ['NS', ZONE]);
    assert.deepEqual(
      answer.answers.map((r) => r.data),
      [`ns1.${ZONE}.`],
    );
    assert.deepEqual(
      answer.additional.filter((r) => r.type !== 'OPT').map((r) => [r.name, r.type, r.data]),
      [
        [`ns1.${ZONE}.`, 'A', '127.0.0.1'],
        [`ns1.${ZONE}.`, 'AAAA', '::1'],
      ],
    );
  });

  it('decodes base32 data in labels in front of the id, split over several labels and in any letter case', async () => {
    const secret = 'host=build-07 user=alice cwd=/srv/releases '.repeat(2);
    const name = dnsNameWithData(token.hostname, Buffer.from(secret)).toUpperCase();
    assert.ok(name.split('.').length > ZONE.split('.').length + 2, 'the data needs more than one label');
    const answer = await dig(server.dnsPort, ['TXT', name]);
    assert.equal(answer.status, 'NOERROR');
    assert.equal(answer.question, `${name}.`, 'the question is echoed with its letter case');
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.detail.qtype, 'TXT');
    assert.equal(hit.detail.data, secret);
    assert.equal(hit.detail.name, name.toLowerCase());
  });

  it('dig +tcp records the transport', async () => {
    await dig(server.dnsPort, ['+tcp', 'AAAA', token.hostname]);
    const [hit] = await hitsOf(server, token.id);
    assert.deepEqual([hit.detail.qtype, hit.detail.transport], ['AAAA', 'tcp']);
  });

  it('answers unknown ids exactly like live ones and records nothing for them', async () => {
    const unknown = `${newTokenId()}.${ZONE}`;
    const before = (await hitsOf(server, token.id)).length;
    const [live, other] = [await dig(server.dnsPort, [token.hostname]), await dig(server.dnsPort, [unknown])];
    assert.deepEqual(
      [other.status, other.flags, other.answers.map((r) => [r.type, r.ttl, r.data])],
      [live.status, live.flags, live.answers.map((r) => [r.type, r.ttl, r.data])],
    );
    assert.equal((await hitsOf(server, token.id)).length, before + 1);
  });

  it('says NXDOMAIN with the SOA for other names in the zone, and REFUSED outside it', async () => {
    const missing = await dig(server.dnsPort, [`www.${ZONE}`]);
    assert.equal(missing.status, 'NXDOMAIN');
    assert.equal(missing.authority[0]?.type, 'SOA');
    const outside = await dig(server.dnsPort, ['example.com']);
    assert.equal(outside.status, 'REFUSED');
  });
});
