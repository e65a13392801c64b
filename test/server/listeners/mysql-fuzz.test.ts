/**
 * The MySQL listener under random and truncated input, and as an oracle: a handshake naming a
 * live token's user gets the same answer as any other user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hitsOf } from '../../support/api.js';
import { fuzzSeed, randomTools } from '../../support/random.js';
import { exchange, fuzzLoop, handshakeResponse, startListenersTestServer, type ListenersTestServer } from './support.js';

const INPUTS = 2000;
const DEADLINE_MS = 60_000;

/** The server's answer after its greeting, with the user name and address masked: what must not depend on the token. */
function answerAfterGreeting(reply: Buffer): Buffer {
  const greeting = reply.readUIntLE(0, 3) + 4;
  return reply.subarray(greeting);
}

describe('mysql listener under malformed traffic', () => {
  let server: ListenersTestServer;
  let tokenId: string;
  const seed = fuzzSeed();
  before(async () => {
    server = await startListenersTestServer();
    tokenId = (await server.api('POST', '/tokens', { kind: 'mysql-dump', memo: 'fuzz target' })).body.id;
  });
  after(() => server.close());

  it(`keeps serving through ${INPUTS} random, truncated and corrupted handshakes (seed ${seed})`, async () => {
    const { int, bytes } = randomTools(seed);
    const makers: (() => Buffer[])[] = [
      () => [bytes(int(400))],
      () => {
        const valid = handshakeResponse(int(2) ? `backup_${tokenId}` : `u${int(1000)}`);
        return [valid.subarray(0, int(valid.length))];
      },
      () => {
        const valid = Buffer.from(handshakeResponse(`repl_${tokenId}@host-${int(100)}`));
        for (let flips = 1 + int(8); flips > 0; flips--) valid[4 + int(valid.length - 4)] = int(256);
        return [valid];
      },
      // A length header past any packet the listener reads, then a trickle.
      () => [Buffer.from([0xff, 0xff, 0xff, 1]), bytes(int(100))],
      // A valid response cut into small writes.
      () => {
        const valid = handshakeResponse(`backup_${tokenId}`);
        const cut = 1 + int(valid.length - 1);
        return [valid.subarray(0, cut), valid.subarray(cut)];
      },
    ];
    const ran = await fuzzLoop(INPUTS, 8, DEADLINE_MS, async () => {
      await exchange(server.ports.mysql, makers[int(makers.length)]!(), 50);
    });
    assert.ok(ran >= 200, `only ${ran} inputs went in before the deadline`);
    const reply = await exchange(server.ports.mysql, [handshakeResponse('after_fuzz')], 2000);
    assert.match(answerAfterGreeting(reply).toString('latin1'), /Access denied for user 'after_fuzz'/);
  });

  it("answers a live token's user exactly as an unknown or disabled one, and records only the live one", async () => {
    // A token of its own: the fuzzing above filled the first one's hits up to flood sampling.
    const fresh = (await server.api('POST', '/tokens', { kind: 'mysql-dump', memo: 'oracle target' })).body.id;
    const unknown = `backup_${'a'.repeat(26)}`;
    const live = `backup_${fresh}`;
    const [liveReply, unknownReply] = await Promise.all([
      exchange(server.ports.mysql, [handshakeResponse(live)], 2000),
      exchange(server.ports.mysql, [handshakeResponse(unknown)], 2000),
    ]);
    const mask = (reply: Buffer, user: string) => answerAfterGreeting(reply).toString('latin1').replace(user, '<user>').slice(4);
    assert.equal(mask(liveReply, live), mask(unknownReply, unknown));
    assert.match(mask(liveReply, live), /^\xff\x15\x04#28000Access denied for user '<user>'@'127\.0\.0\.1' \(using password: YES\)$/);
    const hits = await hitsOf(server, fresh);
    assert.equal(hits.length, 1);
    // Disabled: the same answer still, and nothing recorded.
    assert.equal((await server.api('PATCH', `/tokens/${fresh}`, { enabled: false })).status, 200);
    const disabledReply = await exchange(server.ports.mysql, [handshakeResponse(live)], 2000);
    assert.equal(mask(disabledReply, live), mask(unknownReply, unknown));
    assert.equal((await hitsOf(server, fresh)).length, 1);
    assert.equal(hits[0].detail.user, live);
    assert.deepEqual(hits[0].detail.attributes, { _client_name: 'libmariadb', program_name: 'mysql' });
  });
});
