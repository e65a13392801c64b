import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSecret } from '../../../src/core/ids.js';
import { freePort } from '../../support/ports.js';
import { waitFor } from './wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServerProcess {
  /** The trigger listener. */
  url: string;
  /** The admin listener: API, dashboard, agent ingest, metrics. */
  adminUrl: string;
  key: string;
  child: ChildProcess;
  /** Everything the process wrote to standard error, for failure messages. */
  stderr(): string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL: no shutdown code runs, as when the machine loses power. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the orderly exit. */
  stop(): Promise<void>;
}

/**
 * The real `tripline server` as its own process (through tsx, so no build is needed), on a free
 * loopback ports (trigger and admin), ready once /healthz answers.
 */
export async function spawnServer(options: { db: string; key?: string; args?: string[] }): Promise<ServerProcess> {
  const port = await freePort();
  const adminPort = await freePort();
  const key = options.key ?? newSecret('tpl_test');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'server', '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, '--db', options.db, ...(options.args ?? [])],
    { cwd: ROOT, env: { ...process.env, TRIPLINE_ADMIN_KEY: key, TRIPLINE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor(
    'the server process to answer /healthz',
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited: ${stderr}`);
      return (await fetch(`${adminUrl}/healthz`)).ok;
    },
    60_000,
    100,
  );
  const waitExit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return {
    url,
    adminUrl,
    key,
    child,
    stderr: () => stderr,
    async api(method, path, body) {
      const response = await fetch(`${adminUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    kill: () => waitExit('SIGKILL'),
    stop: () => waitExit('SIGTERM'),
  };
}
