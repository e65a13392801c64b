import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a real client program to completion; never throws on a non-zero exit. */
export function run(file: string, args: string[], env: Record<string, string | undefined>, cwd?: string, timeoutMs = 120_000): Promise<ProgramResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env as NodeJS.ProcessEnv, cwd, timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A scratch directory, removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `tripline-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A minimal environment for client programs: nothing from the developer's own configuration. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', ...extra };
}

export function writeArtifact(dir: string, file: { name: string; content: string; mode?: number }, name = file.name): string {
  const path = join(dir, name);
  writeFileSync(path, file.content);
  chmodSync(path, file.mode ?? 0o600);
  return path;
}

export interface TlsFront {
  port: number;
  /** PEM of the CA that signed the front's certificate (for SSL_CERT_FILE). */
  caFile: string;
  close(): Promise<void>;
}

/**
 * A TLS-terminating front on loopback, as a reverse proxy is in production: kubectl sends a
 * kubeconfig's token only over https. It relays bytes to the server's HTTP port unchanged.
 * The certificate comes from a throwaway CA made with openssl for 127.0.0.1.
 */
export async function startTlsFront(target: () => number, dir: string): Promise<TlsFront> {
  const path = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Tripline test CA',
  ]);
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(path('san.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl([
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-out',
    path('server.pem'),
    '-days',
    '2',
    '-extfile',
    path('san.ext'),
  ]);
  const server: Server = createTlsServer({ key: readFileSync(path('server.key')), cert: readFileSync(path('server.pem')) }, (secure) => {
    const upstream = connect(target(), '127.0.0.1');
    secure.pipe(upstream).pipe(secure);
    secure.on('error', () => upstream.destroy());
    upstream.on('error', () => secure.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    caFile: path('ca.pem'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
