import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { apiClient, type ApiCall } from './api.js';
import { freePort } from './ports.js';

export const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

function requireBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`make build\` before the end-to-end tests`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `tripline` command to completion. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CliResult> {
  requireBuilt();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** --listen and --admin-listen on two loopback ports free a moment ago; reuse the array to restart on the same ports. */
export async function listenArgs(): Promise<string[]> {
  return ['--listen', `127.0.0.1:${await freePort()}`, '--admin-listen', `127.0.0.1:${await freePort()}`];
}

export interface ServerProcess {
  child: ChildProcess;
  /** The trigger listener. */
  url: string;
  /** The admin listener: API, dashboard, agent ingest, metrics. */
  adminUrl: string;
  /** The admin key given in TRIPLINE_ADMIN_KEY, or '' when none was. */
  key: string;
  /** The REST API with that key. */
  api: ApiCall;
  /** Everything the process wrote to standard error so far. */
  stderr(): string;
  stdout(): string;
  /** Sends a signal (SIGTERM: an orderly exit) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: no shutdown code runs, as when the machine loses power. */
  kill(): Promise<void>;
}

/**
 * Starts `tripline server` as a real process and waits for its "listening" log line.
 * The listeners must be given in args (--listen and --admin-listen, with ports from freePort()).
 */
export async function spawnServer(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<ServerProcess> {
  requireBuilt();
  const child = spawn(process.execPath, [CLI, 'server', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const { url, adminUrl } = await new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"tripline server listening"'));
      if (line) {
        clearTimeout(timer);
        const logged = JSON.parse(line) as { url: string; adminUrl: string };
        resolve({ url: logged.url, adminUrl: logged.adminUrl });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
  const key = env.TRIPLINE_ADMIN_KEY ?? '';
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  };
  return {
    child,
    url,
    adminUrl,
    key,
    api: apiClient(adminUrl, key),
    stderr: () => err,
    stdout: () => out,
    stop,
    kill: async () => {
      await stop('SIGKILL');
    },
  };
}
