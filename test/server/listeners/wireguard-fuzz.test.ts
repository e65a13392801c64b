/**
 * The WireGuard listener under random and corrupted datagrams, and as an oracle: it answers no
 * datagram at all, whether the handshake comes from a token's key or any other.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { wireguardKeyPair, wireguardPublicKeyOf } from '../../../src/tokens/decoys/wireguard-keys.js';
import { hitsOf, waitForHits } from '../../support/api.js';
import { fuzzSeed, randomTools } from '../../support/random.js';
import { handshakeInitiation } from '../../support/wireguard-initiator.js';
import { startListenersTestServer, type ListenersTestServer } from './support.js';

const DATAGRAMS = 4000;
const DEADLINE_MS = 60_000;

/** Sends from a socket (on a loopback address of its own) that counts every datagram that comes back. */
function sender(from = '127.0.0.1'): { socket: Socket; received: () => number } {
  const socket = createSocket('udp4');
  socket.bind(0, from);
  let received = 0;
  socket.on('message', () => received++);
  return { socket, received: () => received };
}

/** Client networks the junk comes from: the listener reads 20 handshakes a second from each /24. */
const NETWORKS = 50;

describe('wireguard listener under malformed traffic', () => {
  let server: ListenersTestServer;
  let serverKey: string;
  let client: { privateKey: string; publicKey: string };
  let tokenId: string;
  const seed = fuzzSeed();
  before(async () => {
    server = await startListenersTestServer();
    const { body: token } = await server.api('POST', '/tokens', { kind: 'wireguard', memo: 'fuzz target' });
    tokenId = token.id;
    const config: string = token.artifact.file.content;
    serverKey = /^PublicKey = (\S+)$/m.exec(config)![1]!;
    const privateKey = /^PrivateKey = (\S+)$/m.exec(config)![1]!;
    client = { privateKey, publicKey: wireguardPublicKeyOf(privateKey) };
  });
  after(() => server.close());

  it(`reads a real handshake after ${DATAGRAMS} random and corrupted datagrams, and answers none of them (seed ${seed})`, async () => {
    const { int, bytes } = randomTools(seed);
    const valid = () => handshakeInitiation(int(2) ? client : wireguardKeyPair(), serverKey, int(2 ** 32));
    const makers: (() => Buffer)[] = [
      () => bytes(int(300)),
      () => Buffer.concat([Buffer.from([1, 0, 0, 0]), bytes(144)]),
      () => valid().subarray(0, int(148)),
      () => {
        const message = Buffer.from(valid());
        for (let flips = 1 + int(6); flips > 0; flips--) message[8 + int(140)] = int(256);
        return message;
      },
      // Low-order points as the ephemeral key: X25519 refuses them.
      () => Buffer.concat([Buffer.from([1, 0, 0, 0]), bytes(4), Buffer.alloc(32, int(2)), bytes(108)]),
    ];
    const senders = Array.from({ length: NETWORKS }, (_, i) => sender(`127.0.${i + 1}.1`));
    const deadline = Date.now() + DEADLINE_MS;
    let sent = 0;
    try {
      for (; sent < DATAGRAMS && Date.now() < deadline; sent++) {
        senders[sent % NETWORKS]!.socket.send(makers[int(makers.length)]!(), server.ports.wireguard, '127.0.0.1');
        // Paced under the per-network rate over all the networks, so the parser, not the limiter, meets the junk.
        if (sent % NETWORKS === NETWORKS - 1) await new Promise((resolve) => setTimeout(resolve, 60));
      }
      const probe = 0xfeedbeef;
      senders[0]!.socket.send(handshakeInitiation(client, serverKey, probe), server.ports.wireguard, '127.0.0.1');
      let read = false;
      for (let i = 0; i < 100 && !read; i++) {
        read = (await hitsOf(server, tokenId)).some((hit) => hit.detail.senderIndex === probe);
        if (!read) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(read, `the real handshake after ${sent} junk datagrams was read (seed ${seed})`);
      assert.equal(
        senders.reduce((sum, s) => sum + s.received(), 0),
        0,
        'the listener answered a datagram',
      );
    } finally {
      for (const s of senders) s.socket.close();
    }
  });

  it("records a token's handshake with the client's key and clock, and a stranger's not at all; neither gets an answer", async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'wireguard', memo: 'oracle target' });
    const privateKey = /^PrivateKey = (\S+)$/m.exec(token.artifact.file.content)![1]!;
    const mine = { privateKey, publicKey: wireguardPublicKeyOf(privateKey) };
    const { socket, received } = sender();
    try {
      socket.send(handshakeInitiation(wireguardKeyPair(), serverKey, 1), server.ports.wireguard, '127.0.0.1');
      socket.send(handshakeInitiation(mine, serverKey, 42, new Date('2030-01-02T03:04:05.000Z')), server.ports.wireguard, '127.0.0.1');
      const hits = await waitForHits(server, token.id, 1);
      assert.deepEqual(
        hits.map((hit) => [hit.detail.publicKey, hit.detail.senderIndex, hit.detail.handshakeTime]),
        [[mine.publicKey, 42, '2030-01-02T03:04:05.000Z']],
      );
      assert.equal(received(), 0);
    } finally {
      socket.close();
    }
  });
});
