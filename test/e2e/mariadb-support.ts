import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { run } from './credentials-support.js';

export interface MariaDb {
  socket: string;
  port: number;
  /** Runs the mariadb client as root over the socket, with input on stdin. */
  sql(statements: string, database?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };

/** Debian's MariaDB server in a datadir of its own, on a loopback port and a socket in `dir`. */
export async function startMariaDb(dir: string): Promise<MariaDb> {
  const datadir = join(dir, 'mariadb-data');
  const socket = join(dir, 'mariadb.sock');
  const installed = await run(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'],
    ENV,
  );
  if (installed.code !== 0) throw new Error(`mariadb-install-db failed: ${installed.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--server-id=1',
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      `--log-error=${join(dir, 'mariadb.err')}`,
    ],
    { stdio: 'ignore', env: ENV },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const sql = (statements: string, database?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const client = spawn('mariadb', ['--no-defaults', '-S', socket, '-u', 'root', '--batch', ...(database ? [database] : [])], { env: ENV });
      let stdout = '';
      let stderr = '';
      client.stdout.on('data', (c: Buffer) => (stdout += c));
      client.stderr.on('data', (c: Buffer) => (stderr += c));
      client.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      client.stdin.end(statements);
    });
  // Ready once the socket answers; bounded.
  for (let i = 0; i < 300; i++) {
    if (existsSync(socket) && (await sql('SELECT 1')).code === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    socket,
    port,
    sql,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
