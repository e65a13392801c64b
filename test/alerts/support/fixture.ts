import { after, before } from 'node:test';
import type { ServerOptions } from '../../../src/server/start.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { HttpReceiver } from '../../support/http-receiver.js';

export interface ServerAndReceiver {
  server: TestServer;
  receiver: HttpReceiver;
}

/**
 * An in-process server and a loopback receiver, started before the enclosing suite and stopped
 * after it. The server allows private targets, since the receiver is on loopback.
 */
export function serverAndReceiver(options: Partial<ServerOptions> = {}): ServerAndReceiver {
  const fixture = { receiver: new HttpReceiver() } as ServerAndReceiver;
  before(async () => {
    await fixture.receiver.start();
    fixture.server = await startTestServer({ ...options, alerts: { allowPrivateTargets: true, ...options.alerts } });
  });
  after(async () => {
    await fixture.server?.close();
    await fixture.receiver.stop();
  });
  return fixture;
}
