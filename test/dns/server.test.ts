import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { newTokenId } from '../../src/core/ids.js';
import { createSocket } from 'node:dgram';
import { ConfigError } from '../../src/core/errors.js';
import { DNS_TCP_LIMITS } from '../../src/server/dns/tcp-listener.js';
import { startTestServer } from '../support/server.js';
import { hitsOf } from '../support/api.js';
import { encodeQuery, frame, startDnsTestServer, tcpConnection, udpExchange, ZONE, type TcpDnsConnection } from './support.js';

type DnsTestServer = Awaited<ReturnType<typeof startDnsTestServer>>;

function decode(reply: Buffer | undefined): dnsPacket.DecodedPacket & { rcode?: string } {
  assert.ok(reply, 'a reply came');
  return dnsPacket.decode(reply);
}

describe('dns server', () => {
  let server: DnsTestServer;
  before(async () => {
    server = await startDnsTestServer();
  });
  after(() => server.close());

  it('answers over UDP with the id, the question as asked and the authoritative flag', async () => {
    const id = newTokenId();
    const name = `${id.toUpperCase()}.CANARY.example.test`;
    const reply = decode(await udpExchange(server.dnsPort, encodeQuery(name, 'A', 777)));
    assert.equal(reply.id, 777);
    assert.equal(reply.flag_aa, true);
    assert.equal(reply.flag_rd, true, 'RD is copied');
    assert.equal(reply.flag_ra, false, 'no recursion offered');
    assert.equal(reply.questions?.[0]?.name, name);
    assert.deepEqual(
      reply.answers?.map((a) => a.type === 'A' && a.data),
      ['127.0.0.1'],
    );
  });

  it('records a hit for a live token and answers unknown and disabled ids identically, without a hit', async () => {
    const { body: live } = await server.api('POST', '/tokens', { kind: 'dns', memo: 'dns server test' });
    const { body: disabled } = await server.api('POST', '/tokens', { kind: 'dns', memo: 'disabled' });
    await server.api('PATCH', `/tokens/${disabled.id}`, { enabled: false });
    const replyFor = async (id: string) => {
      const reply = await udpExchange(server.dnsPort, encodeQuery(`${id}.${ZONE}`, 'A', 1));
      // Same bytes apart from the name itself, which differs by id.
      return reply!.toString('hex').replaceAll(Buffer.from(id).toString('hex'), 'ID');
    };
    const answers = [await replyFor(live.id), await replyFor(disabled.id), await replyFor(newTokenId())];
    assert.equal(answers[1], answers[0]);
    assert.equal(answers[2], answers[0]);
    assert.equal((await hitsOf(server, live.id)).length, 1);
    assert.equal((await hitsOf(server, disabled.id)).length, 0);
    const [hit] = await hitsOf(server, live.id);
    assert.equal(hit.source, '127.0.0.1');
    assert.deepEqual([hit.detail.qtype, hit.detail.transport, hit.detail.name], ['A', 'udp', `${live.id}.${ZONE}`]);
  });

  it('makes questions for unknown and disabled ids wait for a commit barrier, and live ones write a hit', async () => {
    const { body: live } = await server.api('POST', '/tokens', { kind: 'dns', memo: 'live' });
    const { body: disabled } = await server.api('POST', '/tokens', { kind: 'dns', memo: 'off' });
    await server.api('PATCH', `/tokens/${disabled.id}`, { enabled: false });
    const { commits } = server.server.services.hitWriter;
    const barriersFor = async (id: string) => {
      const before = commits.barriers;
      assert.ok(await udpExchange(server.dnsPort, encodeQuery(`data.${id}.${ZONE}`, 'A', 2)));
      return commits.barriers - before;
    };
    assert.equal(await barriersFor(live.id), 0);
    assert.equal(await barriersFor(disabled.id), 1);
    assert.equal(await barriersFor(newTokenId()), 1);
    assert.equal((await hitsOf(server, live.id)).length, 1);
    assert.equal((await hitsOf(server, disabled.id)).length, 0);
  });

  it('answers ANY with one HINFO record (RFC 8482) and records the hit for a live token', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'dns', memo: 'any' });
    const reply = decode(await udpExchange(server.dnsPort, encodeQuery(`${token.id}.${ZONE}`, 'ANY' as dnsPacket.RecordType, 3)));
    assert.deepEqual(
      reply.answers?.map((answer) => [answer.type, answer.type === 'HINFO' && answer.data]),
      [['HINFO', { cpu: 'RFC8482', os: '' }]],
    );
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit?.detail.qtype, 'ANY');
  });

  it('answers queries pipelined on one TCP connection, and a query split into single bytes', async () => {
    const connection = await tcpConnection(server.dnsPort);
    connection.socket.write(Buffer.concat([frame(encodeQuery(ZONE, 'SOA', 1)), frame(encodeQuery(ZONE, 'NS', 2))]));
    const [soa, ns] = (await connection.next(2)).map((reply) => dnsPacket.decode(reply));
    assert.deepEqual([soa?.id, soa?.answers?.[0]?.type], [1, 'SOA']);
    assert.deepEqual([ns?.id, ns?.answers?.[0]?.type], [2, 'NS']);
    const split = frame(encodeQuery(`${newTokenId()}.${ZONE}`, 'AAAA', 3));
    for (const byte of split) connection.socket.write(Buffer.from([byte]));
    const [, , aaaa] = (await connection.next(3)).map((reply) => dnsPacket.decode(reply));
    assert.deepEqual([aaaa?.id, aaaa?.answers?.[0]?.type === 'AAAA' && aaaa.answers[0].data], [3, '::1']);
    connection.socket.destroy();
  });

  it('skips junk frames on a TCP connection and answers the next real query', async () => {
    const connection = await tcpConnection(server.dnsPort);
    connection.socket.write(Buffer.concat([frame(Buffer.from('not dns at all')), frame(Buffer.alloc(0)), frame(encodeQuery(ZONE, 'SOA', 9))]));
    const [reply] = await connection.next(1);
    assert.equal(dnsPacket.decode(reply!).id, 9);
    connection.socket.destroy();
  });

  it('answers FORMERR, NOTIMP and BADVERS where the sender deserves to know', async () => {
    const notify = encodeQuery(ZONE, 'SOA', 5, false);
    notify.writeUInt16BE(4 << 11, 2);
    const notImplemented = await udpExchange(server.dnsPort, notify);
    assert.equal(notImplemented!.readUInt16BE(2) & 0xf, 4);
    const twoQuestions = dnsPacket.encode({
      type: 'query',
      id: 6,
      questions: [
        { name: ZONE, type: 'A' },
        { name: ZONE, type: 'NS' },
      ],
    });
    assert.equal((await udpExchange(server.dnsPort, twoQuestions))!.readUInt16BE(2) & 0xf, 1);
    const future = dnsPacket.encode({
      type: 'query',
      id: 7,
      questions: [{ name: ZONE, type: 'SOA' }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }],
    });
    const badVersion = decode(await udpExchange(server.dnsPort, future));
    const opt = badVersion.additionals?.find((record) => record.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    assert.equal(opt?.extendedRcode, 1, 'BADVERS is extended rcode 16');
  });
});

describe('dns server under many TCP connections', () => {
  let server: DnsTestServer;
  before(async () => {
    server = await startDnsTestServer();
  });
  after(() => server.close());

  /** A loopback address in its own /24, so each stands for another client network. */
  const network = (n: number) => `127.0.${n}.1`;
  const answers = async (connection: TcpDnsConnection, id: number) => {
    connection.socket.write(frame(encodeQuery(ZONE, 'SOA', id)));
    const [reply] = await connection.next(connection.replies.length + 1);
    return reply !== undefined && dnsPacket.decode(reply).id === id;
  };

  it(`keeps at most ${DNS_TCP_LIMITS.connectionsPerSource} connections per client network, so one cannot starve another`, async () => {
    const beyond = 12;
    const greedy = await Promise.all(Array.from({ length: DNS_TCP_LIMITS.connectionsPerSource + beyond }, () => tcpConnection(server.dnsPort, network(1))));
    // Which ones the server accepted first is up to it: wait until that many were closed.
    const open = () => greedy.filter((connection) => !connection.socket.destroyed);
    for (let polls = 0; polls < 500 && open().length > DNS_TCP_LIMITS.connectionsPerSource; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(open().length, DNS_TCP_LIMITS.connectionsPerSource);
    const other = await tcpConnection(server.dnsPort, network(2));
    assert.ok(await answers(other, 12), 'another network is served');
    assert.ok(await answers(open()[0]!, 13), 'the greedy network keeps the connections it is allowed');
    for (const connection of [...greedy, other]) connection.socket.destroy();
    await Promise.all([...greedy, other].map((connection) => connection.closed));
  });

  it(`closes TCP connections beyond ${DNS_TCP_LIMITS.connections} and keeps serving the others`, async () => {
    const networks = DNS_TCP_LIMITS.connections / DNS_TCP_LIMITS.connectionsPerSource;
    const open = await Promise.all(Array.from({ length: DNS_TCP_LIMITS.connections }, (_, i) => tcpConnection(server.dnsPort, network(10 + (i % networks)))));
    const extra = await tcpConnection(server.dnsPort, network(10 + networks));
    await extra.closed;
    for (const connection of [open[0]!, open[open.length - 1]!]) assert.ok(await answers(connection, 11));
    for (const connection of open) connection.socket.destroy();
    await Promise.all(open.map((connection) => connection.closed));
  });
});

describe('dns server with a short TCP connection lifetime', () => {
  let server: DnsTestServer;
  const lifetimeMs = 300;
  before(async () => {
    server = await startDnsTestServer(undefined, undefined, { tcp: { lifetimeMs } });
  });
  after(() => server.close());

  it('closes a connection at the end of its lifetime however busy it is', async () => {
    const connection = await tcpConnection(server.dnsPort);
    const limit = 400;
    let sent = 0;
    for (; sent < limit && !connection.socket.destroyed; sent++) {
      connection.socket.write(frame(encodeQuery(ZONE, 'SOA', sent)));
      await connection.next(sent + 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(sent < limit, `still open after ${limit} queries`);
    assert.ok(connection.replies.length >= 2, 'it was answering until it closed');
    const fresh = await tcpConnection(server.dnsPort);
    fresh.socket.write(frame(encodeQuery(ZONE, 'SOA', 1)));
    assert.equal((await fresh.next(1)).length, 1, 'a new connection is served');
    fresh.socket.destroy();
  });
});

describe('dns server answer rate limit', () => {
  let server: DnsTestServer;
  const answerRate = { ratePerSecond: 1, burst: 5 };
  before(async () => {
    server = await startDnsTestServer(undefined, undefined, { answerRate });
  });
  after(() => server.close());

  it('withholds UDP answers over the limit per client network, yet records every hit on a live token', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'dns', memo: 'rate limited' });
    const queries = 30;
    const socket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (message) => replies.push(message));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    for (let i = 0; i < queries; i++) socket.send(encodeQuery(`${token.id}.${ZONE}`, 'A', i), server.dnsPort, '127.0.0.1');
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let hits = 0;
    for (let polls = 0; polls < 200 && hits < queries; polls++) {
      hits = (await server.api('GET', `/tokens/${token.id}`)).body.hitCount;
      if (hits < queries) await pause(25);
    }
    // Answers leave once their hits are on disk, a little after the count shows them.
    for (let polls = 0; polls < 200 && replies.length < answerRate.burst; polls++) await pause(25);
    await pause(250);
    socket.close();
    assert.equal(hits, queries, 'every query was recorded as a hit');
    assert.ok(replies.length >= answerRate.burst, `a burst is answered (${replies.length})`);
    assert.ok(replies.length < queries / 2, `most answers were withheld (${replies.length} of ${queries})`);
    const elsewhere = await udpExchange(server.dnsPort, encodeQuery(ZONE, 'SOA', 99), 2000, '127.0.1.1');
    assert.ok(elsewhere, 'another client network is still answered');
  });
});

describe('dns server with more addresses than fit a plain UDP answer', () => {
  let server: DnsTestServer;
  const addresses = Array.from({ length: 40 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
  before(async () => {
    server = await startDnsTestServer(addresses);
  });
  after(() => server.close());

  it('sets TC over UDP without EDNS, and gives the whole answer over TCP', async () => {
    const name = `${newTokenId()}.${ZONE}`;
    const udp = decode(await udpExchange(server.dnsPort, encodeQuery(name, 'AAAA', 21, false)));
    assert.equal(udp.flag_tc, true);
    assert.equal(udp.answers?.length, 0);
    const connection = await tcpConnection(server.dnsPort);
    connection.socket.write(frame(encodeQuery(name, 'AAAA', 22, false)));
    const [reply] = await connection.next(1);
    assert.equal(dnsPacket.decode(reply!).answers?.length, 40);
    connection.socket.destroy();
  });
});

describe('dns server start-up', () => {
  it('says what to do when the DNS port is taken, and starts nothing', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(0, '127.0.0.1', () => resolve()));
    try {
      await assert.rejects(
        startTestServer({ dns: { zone: ZONE, port: squatter.address().port, addresses: [] } }),
        (error: unknown) => error instanceof ConfigError && /is in use/.test(error.message) && /--dns-port/.test(error.message),
      );
    } finally {
      squatter.close();
    }
  });
});
