import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { newTokenId } from '../../src/core/ids.js';
import { hitsOf } from '../support/api.js';
import { random } from '../support/random.js';
import { encodeQuery, frame, startDnsTestServer, tcpConnection, udpExchange, ZONE } from './support.js';

/** Bounds: the loops stop at these counts, or at the deadline, whichever comes first. */
const UDP_PACKETS = 6000;
const TCP_FRAMES = 600;
const DEADLINE_MS = 60_000;
/** A real query every this many junk packets must still be answered. */
const PROBE_EVERY = 500;

/** dns-packet encodes names at run time; its type definitions leave the codec out. */
const encodeName = (name: string): Buffer => (dnsPacket as unknown as { name: { encode(name: string): Buffer } }).name.encode(name);

function junkMaker(seed: number, tokenId: string) {
  const next = random(seed);
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const valid = () =>
    encodeQuery(`${int(2) ? tokenId : newTokenId()}.${ZONE}`, (['A', 'AAAA', 'TXT', 'ANY', 'SOA'] as dnsPacket.RecordType[])[int(5)], int(65536), int(2) === 1);
  const makers: (() => Buffer)[] = [
    // Random bytes of any length a datagram might have.
    () => bytes(int(600)),
    // A real query cut short anywhere.
    () => {
      const query = valid();
      return query.subarray(0, int(query.length));
    },
    // A real query with a few bytes flipped.
    () => {
      const query = Buffer.from(valid());
      for (let flips = 1 + int(8); flips > 0; flips--) query[int(query.length)] = int(256);
      return query;
    },
    // A plausible header with absurd section counts over random bytes.
    () => {
      const header = Buffer.alloc(12);
      header.writeUInt16BE(int(65536), 0);
      header.writeUInt16BE(int(65536) & 0x7fff, 2);
      for (let i = 4; i < 12; i += 2) header.writeUInt16BE(int(65536), i);
      return Buffer.concat([header, bytes(int(300))]);
    },
    // Compression pointers pointing anywhere, including at themselves and past the end.
    () => {
      const header = Buffer.from([int(256), int(256), 0, 0, 0, 1, 0, 0, 0, 0, 0, int(3)]);
      const body = Buffer.from(Array.from({ length: 2 + int(20) }, (_, i) => (i % 2 === 0 ? 0xc0 | int(64) : int(256))));
      return Buffer.concat([header, body, bytes(int(8))]);
    },
    // A token name with random bytes as data labels (any byte, any length up to 63).
    () => {
      const labels = Array.from({ length: 1 + int(4) }, () => bytes(1 + int(63)));
      const name = Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), label]), encodeName(`${tokenId}.${ZONE}`)]);
      return Buffer.concat([Buffer.from([int(256), int(256), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 16, 0, 1])]);
    },
  ];
  return () => makers[int(makers.length)]!();
}

describe('dns server under malformed traffic', () => {
  let server: Awaited<ReturnType<typeof startDnsTestServer>>;
  let tokenId: string;
  const seed = Number(process.env.TRIPLINE_FUZZ_SEED ?? Date.now() % 2 ** 31);
  before(async () => {
    // Every packet comes from one address, far faster than the answer rate limit allows; the limit
    // has tests of its own, and here would only hide whether the parser copes.
    server = await startDnsTestServer(undefined, undefined, { answerRate: null });
    tokenId = (await server.api('POST', '/tokens', { kind: 'dns', memo: 'fuzz target' })).body.id;
  });
  after(() => server.close());

  it(`keeps answering through ${UDP_PACKETS} random and truncated UDP packets (seed ${seed})`, async () => {
    const junk = junkMaker(seed, tokenId);
    const sender = createSocket('udp4');
    const deadline = Date.now() + DEADLINE_MS;
    let sent = 0;
    try {
      for (; sent < UDP_PACKETS && Date.now() < deadline; sent++) {
        sender.send(junk(), server.dnsPort, '127.0.0.1');
        if (sent % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
        if (sent % PROBE_EVERY === PROBE_EVERY - 1) {
          const probe = await udpExchange(server.dnsPort, encodeQuery(ZONE, 'SOA', 4000 + sent), 5000);
          assert.ok(probe, `no answer to a real query after ${sent + 1} junk packets (seed ${seed})`);
          assert.equal(dnsPacket.decode(probe).answers?.[0]?.type, 'SOA');
        }
      }
    } finally {
      sender.close();
    }
    assert.ok(sent >= PROBE_EVERY, `only ${sent} packets went out before the deadline`);
  });

  it(`keeps answering through ${TCP_FRAMES} junk frames and unframed garbage over TCP (seed ${seed})`, async () => {
    const junk = junkMaker(seed + 1, tokenId);
    const deadline = Date.now() + DEADLINE_MS;
    const framed = await tcpConnection(server.dnsPort);
    let sent = 0;
    for (; sent < TCP_FRAMES && Date.now() < deadline; sent++) framed.socket.write(frame(junk()));
    framed.socket.write(frame(encodeQuery(ZONE, 'SOA', 9999)));
    // Replies come in order, so the real query's answer comes after every junk frame was handled.
    const isTheAnswer = (reply: Buffer) => reply.readUInt16BE(0) === 9999 && dnsPacket.decode(reply).answers?.[0]?.type === 'SOA';
    const answer = await framed.until(isTheAnswer);
    framed.socket.destroy();
    assert.ok(answer, `the connection closed before answering the real query after ${sent} junk frames (seed ${seed})`);

    const garbage = await tcpConnection(server.dnsPort);
    garbage.socket.write(Buffer.from([0xff, 0xff, ...Array.from({ length: 1000 }, (_, i) => i % 256)]));
    garbage.socket.destroy();
  });

  it('still answers real queries over UDP and TCP afterwards, and still records hits', async () => {
    const udp = await udpExchange(server.dnsPort, encodeQuery(`nbswy3dp.${tokenId}.${ZONE}`, 'TXT', 31337), 5000);
    assert.ok(udp);
    assert.equal(dnsPacket.decode(udp).id, 31337);
    const tcp = await tcpConnection(server.dnsPort);
    tcp.socket.write(frame(encodeQuery(ZONE, 'NS', 31338)));
    const [reply] = await tcp.next(1);
    assert.equal(dnsPacket.decode(reply!).answers?.[0]?.type, 'NS');
    tcp.socket.destroy();
    const hits = await hitsOf(server, tokenId);
    assert.ok(
      hits.some((hit) => hit.detail.data === 'hello' && hit.detail.qtype === 'TXT'),
      'the last real query was recorded with its data',
    );
  });
});
