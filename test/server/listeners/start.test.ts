/** Starting the credential listeners: off unless asked, and a port that is taken named by its flag. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { credentialListenersFrom, withCredentialListenOptions } from '../../../src/cli/commands/credential-listen-options.js';
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { startTestServer } from '../../support/server.js';

describe('credential listeners at start', () => {
  it('run none without their flags, and refuse to create their kinds, naming the flag to give', async () => {
    const server = await startTestServer();
    try {
      assert.deepEqual(server.server.listeners, {});
      for (const [kind, flag] of [
        ['ssh-key', '--ssh-listen'],
        ['mysql-dump', '--mysql-listen'],
        ['email', '--smtp-listen'],
        ['wireguard', '--wireguard-listen'],
      ] as const) {
        const created = await server.api('POST', '/tokens', { kind, memo: 'x' });
        assert.equal(created.status, 400, kind);
        assert.match(JSON.stringify(created.body), new RegExp(`${flag} HOST:PORT`), kind);
      }
    } finally {
      await server.close();
    }
  });

  it('stop the start with the flag and the reason when a port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await assert.rejects(
        startTestServer({ credentialListeners: { ssh: { host: '127.0.0.1', port: 0 }, smtp: { host: '127.0.0.1', port } } }),
        new RegExp(`--smtp-listen 127\\.0\\.0\\.1:${port}: cannot listen there \\(EADDRINUSE\\)`),
      );
    } finally {
      taken.close();
    }
  });

  it('read their flags: HOST:PORT addresses, a host name for --mail-domain and --public-host, --mail-domain only with --smtp-listen', () => {
    const parse = (args: string[]) => {
      const command = withCredentialListenOptions(new Command('server').exitOverride().configureOutput({ writeErr: () => undefined }));
      command.parse(args, { from: 'user' });
      return credentialListenersFrom(command.opts());
    };
    assert.deepEqual(
      parse(['--ssh-listen', '0.0.0.0:22', '--smtp-listen', '[::1]:25', '--mail-domain', 'Mail.Example.Test.', '--public-host', 'bastion.example.test']),
      {
        credentialListeners: { ssh: { host: '0.0.0.0', port: 22 }, smtp: { host: '::1', port: 25 }, mailDomain: 'mail.example.test' },
        publicHost: 'bastion.example.test',
      },
    );
    assert.deepEqual(parse([]), { credentialListeners: {} });
    assert.throws(() => parse(['--mail-domain', 'mail.example.test']), /--mail-domain needs --smtp-listen/);
    assert.throws(() => parse(['--wireguard-listen', '51820']), /--wireguard-listen: "51820" is not HOST:PORT/);
    assert.throws(() => parse(['--public-host', 'not a host']), /--public-host: "not a host" is not a host name/);
  });

  it('present the same SSH host key and WireGuard key after a restart on the same store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-listener-keys-'));
    const any = { host: '127.0.0.1', port: 0 };
    const hostKeyOf = (port: number) =>
      new Promise<string>((resolve) => {
        const client = new ssh2.Client();
        let seen = '';
        client.on('error', () => resolve(seen));
        client.on('ready', () => resolve(seen));
        client.connect({
          host: '127.0.0.1',
          port,
          username: 'x',
          password: 'x',
          readyTimeout: 10_000,
          hostVerifier: (key: Buffer) => {
            seen = key.toString('base64');
            return true;
          },
        });
      });
    const seen: { hostKey: string; wireguard: string }[] = [];
    try {
      for (let start = 0; start < 2; start++) {
        const server = await startTestServer({ db: join(dir, 'tripline.db'), credentialListeners: { ssh: any, wireguard: any } });
        try {
          const { body: token } = await server.api('POST', '/tokens', { kind: 'wireguard', memo: 'vpn' });
          seen.push({ hostKey: await hostKeyOf(server.server.listeners.ssh!), wireguard: /^PublicKey = (\S+)$/m.exec(token.artifact.file.content)![1]! });
        } finally {
          await server.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(seen[0]!.hostKey.length > 0);
    assert.deepEqual(seen[1], seen[0]);
  });
});
