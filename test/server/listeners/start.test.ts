/** Starting the credential listeners: off unless asked, and a port that is taken named by its flag. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
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
});
