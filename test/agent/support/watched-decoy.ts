/**
 * The setting of the decoy benches and of the agent's end-to-end load tests: a Tripline server in this process (SQLite, loopback), a
 * `file` token planted as its decoy, and the real `tripline agent` watching it with the token's
 * policy (Post) and reporting to the server. Every committed hit is recorded with the moment the
 * server published it.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import pino from 'pino';
import { newSecret } from '../../../src/core/ids.js';
import { startServer, type ServerOptions } from '../../../src/server/start.js';
import type { Hit } from '../../../src/store/repositories/hits.js';
import { AgentProcess } from './agent-process.js';

export interface WatchedDecoy {
  decoy: string;
  server: Awaited<ReturnType<typeof startServer>>;
  agent: AgentProcess;
  /** Every committed hit, with performance.now() at its commit. */
  committed: { hit: Hit; at: number }[];
  /** The first hit committed at or after `from` that `match` accepts. */
  committedHit(match: (hit: Hit) => boolean, from: number, deadlineMs?: number): Promise<{ hit: Hit; at: number }>;
  api(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** `dir` must exist; the decoy goes to DIR/keys/id_ed25519. `flood` as the server takes it. */
export async function startWatchedDecoy(dir: string, name: string, flood?: ServerOptions['flood']): Promise<WatchedDecoy> {
  const adminKey = newSecret('tpl_admin');
  const server = await startServer(
    {
      listen: { host: '127.0.0.1', port: 0 },
      adminListen: { host: '127.0.0.1', port: 0 },
      db: join(dir, 'bench.db'),
      trustProxy: [],
      adminKey,
      logLevel: 'silent',
      ...(flood ? { flood } : {}),
    },
    pino({ level: 'silent' }),
  );
  const committed: { hit: Hit; at: number }[] = [];
  let wake: (() => void) | undefined;
  server.services.events.subscribe((event) => {
    committed.push({ hit: event.hit, at: performance.now() });
    wake?.();
  });
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${server.adminUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const committedHit = async (match: (hit: Hit) => boolean, from: number, deadlineMs = 10_000) => {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = committed.find((c) => c.at >= from && match(c.hit));
      if (found) return found;
      if (Date.now() > deadline) throw new Error('a hit never arrived');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  let agent: AgentProcess | undefined;
  try {
    await chmod(dir, 0o755);
    const decoy = join(dir, 'keys', 'id_ed25519');
    const policies = join(dir, 'policies');
    const token = await api('POST', '/tokens', { kind: 'file', memo: name, options: { path: decoy, decoyKind: 'ssh-key' } });
    await mkdir(join(dir, 'keys'), { mode: 0o755 });
    await writeFile(decoy, token.artifact.extraFiles[0].content, { mode: 0o644 });
    await mkdir(policies);
    await writeFile(join(policies, token.artifact.file.name), token.artifact.file.content);
    // The key reports for the node it was enrolled for only.
    const { key: agentKey } = await api('POST', '/agents', { name: 'bench' });
    agent = await AgentProcess.start([
      '--policy-dir',
      policies,
      '--server',
      server.adminUrl,
      '--agent-key',
      agentKey,
      '--spool-dir',
      join(dir, 'spool'),
      '--node-name',
      'bench',
    ]);
    const started = agent;
    return {
      decoy,
      server,
      agent,
      committed,
      committedHit,
      api,
      async close() {
        await started.stop();
        await server.close();
      },
    };
  } catch (err) {
    await agent?.stop();
    await server.close();
    throw err;
  }
}

/** The pid of the process a file hit names, if it is an access. */
export function accessorPid(hit: Hit): number | undefined {
  return (hit.detail as { access?: { process: { pid: number } } }).access?.process.pid;
}

/** Compiles one of the benches' C helpers with the system's cc; returns the binary's path. */
export async function compileC(source: string, outDir: string): Promise<string> {
  const out = join(outDir, source.replace(/^.*\//, '').replace(/\.c$/, ''));
  await promisify(execFile)('cc', ['-O2', '-Wall', '-o', out, source]);
  return out;
}
