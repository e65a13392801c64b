import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { newSecret } from '../../src/core/ids.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/start.js';
import { apiClient, type ApiCall } from './api.js';

export interface TestServer {
  server: RunningServer;
  /** The trigger listener. */
  url: string;
  /** The admin listener: API, dashboard, agent ingest, metrics. */
  adminUrl: string;
  key: string;
  /** fetch against the API with the admin key. */
  api: ApiCall;
  close(): Promise<void>;
}

/** A Tripline server in this process on free loopback ports (trigger and admin), with a fresh SQLite store unless db is given. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = options.db ? undefined : mkdtempSync(join(tmpdir(), 'tripline-test-'));
  // Replicas on one store share one admin key (each start revokes a different one).
  const key = options.adminKey ?? newSecret('tpl_test');
  const server = await startServer(
    {
      listen: { host: '127.0.0.1', port: 0 },
      adminListen: { host: '127.0.0.1', port: 0 },
      db: options.db ?? join(dir!, 'tripline.db'),
      trustProxy: [],
      adminKey: key,
      logLevel: 'silent',
      ...options,
    },
    pino({ level: process.env.TRIPLINE_TEST_LOG ?? 'silent' }),
  );
  return {
    server,
    url: server.url,
    adminUrl: server.adminUrl,
    key,
    api: apiClient(server.adminUrl, key),
    async close() {
      await server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
