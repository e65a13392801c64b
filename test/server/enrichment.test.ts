import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../src/core/errors.js';
import { SourceEnricher } from '../../src/server/enrichment/source-enricher.js';
import { storeDialects } from '../support/dialects.js';
import { LISTED, OTHER, writeGeoDatabases, type GeoDatabases } from '../support/geo-databases.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

for (const dialect of storeDialects())
  describe(`offline enrichment from .mmdb files written by the test, on ${dialect.name}`, () => {
    let databases: GeoDatabases;
    let server: TestServer;
    let receiver: HttpReceiver;

    before(async () => {
      databases = writeGeoDatabases();
      receiver = await new HttpReceiver().start();
      server = await startTestServer({
        db: await dialect.newLocation(),
        trustProxy: ['127.0.0.1'],
        alerts: { allowPrivateTargets: true, pollMs: 50 },
        enrichment: { geoipDb: databases.geoipDb, asnDb: databases.asnDb },
      });
    });
    after(async () => {
      await server.close();
      await receiver.stop();
      databases.remove();
    });

    test('a hit from a listed address carries country, city and ASN in the API and the webhook payload', async () => {
      const channel = (await server.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/geo') })).body.id;
      const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'geo', channels: [channel] })).body;
      const response = await fetch(token.url, { headers: { 'x-forwarded-for': LISTED.address, 'user-agent': 'curl/8.5.0' } });
      await response.arrayBuffer();

      const expected = { country: LISTED.country, countryName: LISTED.countryName, city: LISTED.city, asn: LISTED.asn, asOrg: LISTED.asOrg };
      const listed = (await server.api('GET', `/hits?country=${LISTED.country.toLowerCase()}`)).body.items;
      assert.equal(listed.length, 1);
      assert.deepEqual(listed[0].enrichment, expected);
      const shown = (await server.api('GET', `/hits/${listed[0].id}`)).body;
      assert.deepEqual(shown.enrichment, expected);
      assert.deepEqual((await server.api('GET', `/tokens/${token.id}/hits`)).body.items[0].enrichment, expected, "the token's own listing carries it too");

      const delivered = await waitFor('the webhook alert', () => receiver.to('/geo')[0]);
      assert.deepEqual(delivered.body.firstHit.enrichment, expected);
      assert.equal(delivered.body.firstHit.source, LISTED.address);
    });

    test('an address the databases do not list has no enrichment, and an ASN rule mutes by network', async () => {
      const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'asn rule' })).body;
      const rule = await server.api('POST', '/noise-rules', { kind: 'asn', pattern: `AS${OTHER.asn}`, tokenId: token.id, note: 'a scanning host' });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      for (const source of [OTHER.address, '198.51.100.1']) {
        const response = await fetch(token.url, { headers: { 'x-forwarded-for': source } });
        await response.arrayBuffer();
      }
      const hits = (await server.api('GET', `/hits?token=${token.id}`)).body.items;
      const other = hits.find((hit: any) => hit.source === OTHER.address);
      const unlisted = hits.find((hit: any) => hit.source === '198.51.100.1');
      assert.deepEqual(other.enrichment, { asn: OTHER.asn, asOrg: OTHER.asOrg });
      assert.equal(other.mutedBy.kind, 'asn');
      assert.equal(other.mutedBy.pattern, `AS${OTHER.asn}`);
      assert.equal(unlisted.enrichment, null);
      assert.equal(unlisted.mutedBy, null);
      assert.equal((await server.api('GET', '/hits?country=NZ&muted=true')).body.items.length, 0);
    });
  });

describe('enrichment databases', () => {
  test('a database path that cannot be used is refused with the flag and the reason', () => {
    assert.throws(
      () => new SourceEnricher({ geoipDb: '/nonexistent/city.mmdb' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^--geoip-db \/nonexistent\/city\.mmdb: cannot read it \(ENOENT\)/);
        return true;
      },
    );
    const databases = writeGeoDatabases();
    const junk = `${databases.asnDb}.junk`;
    writeFileSync(junk, 'not a database');
    assert.throws(() => new SourceEnricher({ asnDb: junk }), /--asn-db .*: not a MaxMind DB file/);
    databases.remove();
  });
});

/** A DNS server on loopback that answers PTR questions from a table, NXDOMAIN otherwise. */
async function ptrServer(names: Record<string, string>): Promise<{ port: number; asked: string[]; close(): void }> {
  const socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    asked.push(question.name);
    const answer = names[question.name];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answer ? 0 : 3),
      questions: [question],
      answers: answer ? [{ type: 'PTR', name: question.name, ttl: 60, data: answer }] : [],
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, asked, close: () => socket.close() };
}

describe('reverse DNS, from a resolver the test runs', () => {
  let server: TestServer;
  let resolver: Awaited<ReturnType<typeof ptrServer>>;

  before(async () => {
    resolver = await ptrServer({ '77.113.0.203.in-addr.arpa': 'gw.example.net' });
    server = await startTestServer({
      trustProxy: ['127.0.0.1'],
      enrichment: { reverseDns: true, reverseDnsServers: [`127.0.0.1:${resolver.port}`] },
    });
  });
  after(async () => {
    await server.close();
    resolver.close();
  });

  test('the first hit from a source gets its name once it is in, later hits when they are recorded; a source without one has none', async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'ptr' })).body;
    const hit = async (source: string) => {
      const response = await fetch(token.url, { headers: { 'x-forwarded-for': source } });
      await response.arrayBuffer();
      const hits = (await server.api('GET', `/hits?token=${token.id}&source=${source}`)).body.items;
      return hits[0];
    };
    const first = await hit('203.0.113.77');
    await waitFor('the name on the first hit', async () => (await server.api('GET', `/hits/${first.id}`)).body.enrichment?.hostname === 'gw.example.net');
    const second = await hit('203.0.113.77');
    assert.deepEqual(second.enrichment, { hostname: 'gw.example.net' }, 'from the cache, at once');
    assert.deepEqual(
      (await server.api('GET', `/hits?token=${token.id}`)).body.items.map((h: any) => h.enrichment?.hostname),
      ['gw.example.net', 'gw.example.net'],
    );

    const unnamed = await hit('198.51.100.8');
    await waitFor('the failed lookup', () => resolver.asked.includes('8.100.51.198.in-addr.arpa'));
    const again = await hit('198.51.100.8');
    assert.equal(again.enrichment, null);
    assert.equal((await server.api('GET', `/hits/${unnamed.id}`)).body.enrichment, null);
    assert.equal(resolver.asked.filter((name) => name === '8.100.51.198.in-addr.arpa').length, 1, 'the miss is cached too');
  });
});
