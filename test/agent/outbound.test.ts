/**
 * GetUrl and DnsLookup off the event path: retried with backoff, bounded, given up after a
 * timeout; against an HTTP server and a DNS responder on loopback.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import pino from 'pino';
import { dnsLookup } from '../../src/agent/actions/dns-lookup.js';
import { getUrl } from '../../src/agent/actions/get-url.js';
import { OutboundActions, type OutboundOptions } from '../../src/agent/actions/outbound.js';
import { HttpReceiver } from '../support/http-receiver.js';

const log = pino({ level: 'silent' });

/** Answers every A query with NXDOMAIN and remembers the names asked. */
async function dnsResponder(): Promise<{ socket: Socket; port: number; asked: string[] }> {
  const socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    asked.push(query.questions?.[0]?.name ?? '');
    const answer = dnsPacket.encode({ id: query.id, type: 'response', flags: dnsPacket.AUTHORITATIVE_ANSWER | 3, questions: query.questions });
    socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, asked };
}

describe('OutboundActions', () => {
  let server: HttpReceiver;
  before(async () => {
    server = await new HttpReceiver().start();
  });
  after(() => server.stop());

  const actions = (options: Partial<OutboundOptions> = {}) =>
    new OutboundActions({ perform: { geturl: getUrl, dnslookup: dnsLookup() }, log, retryBaseMs: 10, ...options });

  it('retries a GetUrl that fails with 5xx until it goes through', async () => {
    let failures = 2;
    server.behaviour = () => ({ status: failures-- > 0 ? 502 : 200 });
    const outbound = actions();
    assert.equal(outbound.enqueue({ kind: 'geturl', target: server.url('/retry'), policy: 'p' }), true);
    await outbound.idle();
    assert.equal(server.to('/retry').length, 3);
  });

  it('gives up on a receiver that never answers after its attempts, each cut by the timeout', async () => {
    server.behaviour = () => new Promise(() => undefined);
    const outbound = actions({ timeoutMs: 100, attempts: 2 });
    outbound.enqueue({ kind: 'geturl', target: server.url('/hang'), policy: 'p' });
    await outbound.idle();
    assert.equal(server.to('/hang').length, 2);
  });

  it('drops tasks beyond its queue bound instead of growing', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<{ status: number }>((resolve) => (release = () => resolve({ status: 200 })));
    server.behaviour = () => held;
    const outbound = actions({ concurrency: 1, maxQueued: 2 });
    const accepted = [1, 2, 3, 4].map((n) => outbound.enqueue({ kind: 'geturl', target: server.url(`/bounded/${n}`), policy: 'p' }));
    // The first runs at once; two wait; the fourth finds the queue full.
    assert.deepEqual(accepted, [true, true, true, false]);
    release();
    await outbound.idle();
    assert.deepEqual(
      server.attempts.filter((r) => r.path.startsWith('/bounded/')).map((r) => r.path),
      ['/bounded/1', '/bounded/2', '/bounded/3'],
    );
  });

  it('makes the DNS query of a DnsLookup; a name that does not exist still counts as asked', async () => {
    const dns = await dnsResponder();
    try {
      const outbound = new OutboundActions({ perform: { geturl: getUrl, dnslookup: dnsLookup([`127.0.0.1:${dns.port}`]) }, log, attempts: 1 });
      outbound.enqueue({ kind: 'dnslookup', target: 'abc.canary.example', policy: 'p' });
      await outbound.idle();
      assert.deepEqual(dns.asked, ['abc.canary.example']);
    } finally {
      dns.socket.close();
    }
  });
});
