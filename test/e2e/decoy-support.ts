/**
 * The pieces the decoy end-to-end tests share: a real server process with an enrolled agent,
 * decoys planted with the real CLI, and polling of the server's API until what a test waits for
 * has arrived (bounded by a deadline, never by a fixed sleep).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSecret } from '../../src/core/ids.js';
import { AgentProcess } from '../agent/support/agent-process.js';
import { hitsOf, type ApiCall } from '../support/api.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';

export interface Hit {
  id: string;
  at: string;
  source: string;
  detail: {
    node: string;
    summary?: string;
    access?: { path: string; access: string; process: { pid: number; uid: number; binary: string; arguments: string[] } };
    tamper?: { path: string; change: string };
  };
}

export interface DecoyWorld {
  dir: string;
  /** --listen and --admin-listen, kept for restarts on the same ports. */
  listen: string[];
  db: string;
  adminKey: string;
  server: ServerProcess;
  env: Record<string, string>;
  /** The node the agent is enrolled for: the only one its reports may claim. */
  node: string;
  agentKey: string;
  api: ApiCall;
  /** Starts the server process again on the same ports and store (after server.stop()). */
  restartServer(): Promise<void>;
}

export async function startWorld(prefix: string, node = 'e2e-host', serverArgs: string[] = []): Promise<DecoyWorld> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Unprivileged readers (setpriv) must be able to walk down to the decoy.
  chmodSync(dir, 0o755);
  const listen = await listenArgs();
  const db = join(dir, 'store.db');
  const adminKey = newSecret('tpl_admin');
  const serverEnv = { TRIPLINE_ADMIN_KEY: adminKey };
  const world: DecoyWorld = {
    dir,
    listen,
    db,
    adminKey,
    server: await spawnServer([...listen, '--db', db, ...serverArgs], serverEnv),
    env: {},
    node,
    agentKey: '',
    // Whichever process serves now: the world outlives server restarts.
    api: (method, path, body) => world.server.api(method, path, body),
    async restartServer() {
      world.server = await spawnServer([...listen, '--db', db, ...serverArgs], serverEnv);
    },
  };
  world.env = { TRIPLINE_URL: world.server.adminUrl, TRIPLINE_KEY: adminKey };
  const enrolled = await runCli(['agent', 'enroll', '--name', node, '--json'], world.env);
  if (enrolled.code !== 0) throw new Error(`agent enroll failed: ${enrolled.stderr}`);
  world.agentKey = JSON.parse(enrolled.stdout).key;
  return world;
}

/** The real `tripline agent` on the world's enrolled node, reporting to its server, watching `<dir>/policies`. */
export function startAgent(world: DecoyWorld, extra: string[] = []): Promise<AgentProcess> {
  return AgentProcess.start([
    '--policy-dir',
    join(world.dir, 'policies'),
    '--server',
    world.server.adminUrl,
    '--agent-key',
    world.agentKey,
    '--spool-dir',
    join(world.dir, 'spool'),
    '--node-name',
    world.node,
    ...extra,
  ]);
}

export async function stopWorld(world: DecoyWorld | undefined, agent?: AgentProcess): Promise<void> {
  await agent?.stop();
  await world?.server.stop();
  if (world) rmSync(world.dir, { recursive: true, force: true });
}

/** `tripline decoy plant ... --json` through the built CLI. */
export async function plant(world: DecoyWorld, args: string[]): Promise<{ tokenId: string; path: string; policyFile: string }> {
  const result = await runCli(['decoy', 'plant', ...args, '--json'], world.env);
  if (result.code !== 0) throw new Error(`decoy plant failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The token's hits made by one process, once at least one (of `access`, when given) has arrived. */
export function hitsByPid(world: DecoyWorld, tokenId: string, pid: number, access?: string): Promise<Hit[]> {
  return waitFor(`a ${access ?? ''} hit from pid ${pid}`, async () => {
    const hits = ((await hitsOf(world, tokenId)) as Hit[]).filter((h) => h.detail.access?.process.pid === pid);
    return hits.some((h) => access === undefined || h.detail.access?.access === access) ? hits : undefined;
  });
}
