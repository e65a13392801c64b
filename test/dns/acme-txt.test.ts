/**
 * DNS-01 answers: while an ACME order runs, `_acme-challenge.<name>` under the zone answers TXT
 * with the pending values (two at once for a zone and its wildcard); otherwise the name answers as
 * any other non-token name does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { startTestServer, type TestServer } from '../support/server.js';
import { encodeQuery, udpExchange, ZONE } from './support.js';

describe('ACME DNS-01 TXT answers', () => {
  let server: TestServer;
  let port: number;
  const pending = new Map<string, string[]>([[`_acme-challenge.${ZONE}`, ['apex-digest', 'wildcard-digest']]]);

  before(async () => {
    server = await startTestServer({ dns: { zone: ZONE, port: 0, addresses: ['127.0.0.1'], acmeTxt: async (name) => pending.get(name) ?? [] } });
    port = server.server.dns!.port;
  });
  after(() => server.close());

  async function ask(name: string, type: dnsPacket.RecordType) {
    const reply = await udpExchange(port, encodeQuery(name, type));
    assert.ok(reply, `an answer for ${type} ${name}`);
    return dnsPacket.decode(reply) as dnsPacket.DecodedPacket & { rcode: string };
  }

  it('answers the pending values as TXT, authoritatively and uncached', async () => {
    const reply = await ask(`_acme-challenge.${ZONE}`, 'TXT');
    assert.equal(reply.rcode, 'NOERROR');
    assert.ok((reply.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER);
    const values = (reply.answers ?? []).map((answer) => ((answer as dnsPacket.TxtAnswer).data as Buffer[]).map(String).join(''));
    assert.deepEqual(values.sort(), ['apex-digest', 'wildcard-digest']);
    assert.ok((reply.answers ?? []).every((answer) => (answer as dnsPacket.TxtAnswer).ttl === 0));
  });

  it('answers like any other name once nothing is pending, and for other types', async () => {
    const other = await ask(`unrelated.${ZONE}`, 'TXT');
    pending.clear();
    const after = await ask(`_acme-challenge.${ZONE}`, 'TXT');
    assert.equal(after.rcode, other.rcode);
    assert.equal(after.rcode, 'NXDOMAIN');
    assert.equal((await ask(`_acme-challenge.${ZONE}`, 'A')).rcode, 'NXDOMAIN');
  });
});
