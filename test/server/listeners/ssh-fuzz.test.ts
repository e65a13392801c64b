/**
 * The SSH listener under random and truncated input, and as an oracle: a decoy key meets the
 * same answers as any other key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { sshKeyDecoy } from '../../../src/tokens/decoys/ssh-key.js';
import { hitsOf } from '../../support/api.js';
import { fuzzSeed, randomTools } from '../../support/random.js';
import { exchange, fuzzLoop, startListenersTestServer, type ListenersTestServer } from './support.js';

const INPUTS = 2000;
const DEADLINE_MS = 60_000;

/** Logs in with ssh2's client; resolves with how it ended and the methods the server offered. */
function login(port: number, privateKey: string, username = 'deploy'): Promise<{ level: string; message: string; banner: string }> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let banner = '';
    client.on('handshake', () => undefined);
    client.on('error', (error: Error & { level?: string }) => {
      client.end();
      resolve({ level: error.level ?? '', message: error.message, banner });
    });
    client.on('ready', () => {
      client.end();
      resolve({ level: 'ready', message: '', banner });
    });
    client.connect({
      host: '127.0.0.1',
      port,
      username,
      privateKey,
      readyTimeout: 10_000,
      debug: (line: string) => {
        const ident = /Remote ident: '([^']*)'/.exec(line);
        if (ident) banner = ident[1]!;
      },
    });
  });
}

describe('ssh listener under malformed traffic', () => {
  let server: ListenersTestServer;
  const seed = fuzzSeed();
  before(async () => {
    server = await startListenersTestServer();
  });
  after(() => server.close());

  it(`keeps serving through ${INPUTS} random and truncated inputs (seed ${seed})`, async () => {
    const { int, bytes } = randomTools(seed);
    const ident = Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n');
    const makers: (() => Buffer[])[] = [
      () => [bytes(int(600))],
      () => [ident.subarray(0, int(ident.length))],
      // A version line, then a binary packet whose length field says anything.
      () => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(int(2) ? int(70_000) : 2 ** 32 - 1 - int(1000));
        return [ident, length, bytes(int(300))];
      },
      // A plausible KEXINIT (type 20) full of random name lists.
      () => {
        const body = Buffer.concat([Buffer.from([int(8), 20]), bytes(16), bytes(int(400))]);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(body.length);
        return [ident, length, body];
      },
      // An identification line that never ends.
      () => [Buffer.from(`SSH-2.0-${'x'.repeat(300 + int(5000))}`)],
    ];
    const ran = await fuzzLoop(INPUTS, 8, DEADLINE_MS, async () => {
      await exchange(server.ports.ssh, makers[int(makers.length)]!(), 50);
    });
    assert.ok(ran >= 200, `only ${ran} inputs went in before the deadline`);
    const after = await login(server.ports.ssh, sshKeyDecoy().privateKey);
    assert.equal(after.level, 'client-authentication', after.message);
  });

  it('meets a decoy key and an unknown key with the same answers, and records only the decoy', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'ssh-key', memo: 'oracle target' });
    const [live, unknown] = await Promise.all([login(server.ports.ssh, token.artifact.file.content), login(server.ports.ssh, sshKeyDecoy().privateKey)]);
    assert.deepEqual(live, unknown);
    assert.equal(live.level, 'client-authentication');
    assert.equal(live.banner, 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3');
    const hits = await hitsOf(server, token.id);
    assert.deepEqual(
      hits.map((hit) => [hit.detail.level, hit.detail.user, hit.detail.clientVersion]),
      [['private-key-used', 'deploy', 'SSH-2.0-ssh2js1.17.0']],
    );
  });
});
