/**
 * The SMTP listener under random and truncated sessions, and as an oracle: mail to a live
 * token's address gets the same replies as mail to any other address in the domain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hitsOf } from '../../support/api.js';
import { fuzzSeed, randomTools } from '../../support/random.js';
import { exchange, fuzzLoop, MAIL_DOMAIN, smtpSession as session, startListenersTestServer, type ListenersTestServer } from './support.js';

const INPUTS = 2000;
const DEADLINE_MS = 60_000;

/** Replies with the queue id (random per message) masked. */
function replies(transcript: Buffer): string {
  return transcript.toString('latin1').replace(/queued as [0-9A-F]+/g, 'queued as <id>');
}

describe('smtp listener under malformed traffic', () => {
  let server: ListenersTestServer;
  let address: string;
  const seed = fuzzSeed();
  before(async () => {
    server = await startListenersTestServer();
    address = (await server.api('POST', '/tokens', { kind: 'email', memo: 'fuzz target' })).body.artifact.address;
  });
  after(() => server.close());

  it(`keeps serving through ${INPUTS} random, truncated and malformed sessions (seed ${seed})`, async () => {
    const { int, bytes, pick } = randomTools(seed);
    const verbs = ['EHLO', 'HELO', 'MAIL FROM:', 'RCPT TO:', 'DATA', 'RSET', 'VRFY', 'AUTH PLAIN', 'STARTTLS', 'BDAT', 'NOOP', 'QUIT'];
    const makers: (() => Buffer[])[] = [
      () => [bytes(int(600))],
      () => {
        const whole = Buffer.concat(session(int(2) ? address : `x${int(100)}@${MAIL_DOMAIN}`));
        return [whole.subarray(0, int(whole.length))];
      },
      () => Array.from({ length: 1 + int(12) }, () => Buffer.concat([Buffer.from(`${pick(verbs)} `), bytes(int(80)), Buffer.from('\r\n')])),
      // A line far past the protocol's limit.
      () => [Buffer.from(`EHLO ${'a'.repeat(2000 + int(20_000))}\r\n`)],
      // A message with broken MIME: a boundary that never closes, encoded words that do not decode.
      () =>
        session(
          address,
          `=?utf-8?B?${bytes(int(30)).toString('base64')}?= =?x?Q?=ZZ?=`,
          `Content-Type: multipart/mixed; boundary="${bytes(4).toString('hex')}"\r\n\r\n--${bytes(8).toString('hex')}\r\n${bytes(int(500)).toString('base64')}`,
        ),
    ];
    const ran = await fuzzLoop(INPUTS, 8, DEADLINE_MS, async () => {
      // Half talk before the banner, which the listener refuses as MTAs do.
      await exchange(server.ports.smtp, makers[int(makers.length)]!(), 50, int(2) === 1);
    });
    assert.ok(ran >= 200, `only ${ran} inputs went in before the deadline`);
    const after = await exchange(server.ports.smtp, session(`after.${'b'.repeat(26)}@${MAIL_DOMAIN}`), 3000, true);
    assert.match(after.toString(), /250 Ok: queued as/);
  });

  it("answers mail to a live token's address exactly as mail to an unknown one, and records only the live one", async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'email', memo: 'oracle target', options: { local: 'payroll' } });
    const unknown = `payroll.${'c'.repeat(26)}@${MAIL_DOMAIN}`;
    const [live, other] = await Promise.all([
      exchange(server.ports.smtp, session(token.artifact.address), 3000, true),
      exchange(server.ports.smtp, session(unknown), 3000, true),
    ]);
    assert.equal(replies(live), replies(other));
    assert.match(replies(live), /^220 mx\.mail\.example\.test ESMTP Postfix \(Debian\/GNU\)\r\n/);
    assert.match(replies(live), /250 Ok: queued as <id>\r\n221 Bye\r\n$/);
    const hits = await hitsOf(server, token.id);
    assert.deepEqual(
      hits.map((hit) => [hit.detail.recipient, hit.detail.subject, hit.detail.helo]),
      [[token.artifact.address, 'hello', 'client.example.test']],
    );
  });
});
