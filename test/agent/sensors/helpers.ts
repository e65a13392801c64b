/**
 * Shared pieces of the sensor tests: scratch directories, child processes run asynchronously
 * (a synchronous spawn would block the loop that has to answer the child's permission events),
 * and a recorder that answers every access with a chosen verdict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecoyTamperEvent } from '../../../src/core/file-event.js';
import type { AccessRequest } from '../../../src/agent/sensors/access-request.js';
import { FanotifySensor } from '../../../src/agent/sensors/fanotify-sensor.js';
import { sleep, waitForItem } from '../../support/wait.js';

export const SECRET = 'decoy-content-7f3a\n';

export interface Scratch {
  dir: string;
  decoy: string;
  cleanup(): Promise<void>;
}

/** A world-readable directory with a decoy in it, so unprivileged users can reach it too. */
export async function scratch(name = 'id_rsa'): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'tripline-sensor-'));
  await chmod(dir, 0o755);
  const decoy = join(dir, name);
  await writeFile(decoy, SECRET, { mode: 0o644 });
  return { dir, decoy, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], timeoutMs = 15000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ pid: child.pid ?? -1, code, signal, stdout, stderr });
    });
  });
}

/** Exit status as a shell reports it: 128 + signal for a killed process. */
export function shellStatus(r: RunResult): number | null {
  if (r.signal === 'SIGKILL') return 137;
  return r.code;
}

type Decide = (request: AccessRequest) => void;

/** Records what the sensor reports; answers each access with `decide` (allow by default). */
export class Recorder {
  readonly accesses: AccessRequest[] = [];
  readonly tampers: DecoyTamperEvent[] = [];
  decide: Decide = (r) => r.allow();

  constructor(sensor: FanotifySensor) {
    sensor.on('access', (r) => {
      this.accesses.push(r);
      this.decide(r);
    });
    sensor.on('tamper', (t) => this.tampers.push(t));
  }

  /** Runs fn with another verdict in force, then goes back to allowing. */
  async deciding<T>(decide: Decide, fn: () => Promise<T>): Promise<T> {
    this.decide = decide;
    try {
      return await fn();
    } finally {
      this.decide = (r) => r.allow();
    }
  }

  clear(): void {
    this.accesses.length = 0;
    this.tampers.length = 0;
  }

  byPid(pid: number): AccessRequest[] {
    return this.accesses.filter((r) => r.event.process.pid === pid);
  }

  waitForTamper(match: (t: DecoyTamperEvent) => boolean, timeoutMs = 3000): Promise<DecoyTamperEvent> {
    return waitForItem('a tamper event that matches', this.tampers, match, timeoutMs);
  }

  waitForAccess(match: (r: AccessRequest) => boolean, timeoutMs = 3000): Promise<AccessRequest> {
    return waitForItem('an access that matches', this.accesses, match, timeoutMs);
  }
}

export const settle = (ms = 150): Promise<void> => sleep(ms);

/** A python process that opens the decoy with `flags`, says so, and waits. */
export async function holder(path: string, flags: string): Promise<ChildProcess> {
  const child = spawn(
    '/usr/bin/python3',
    ['-u', '-c', `import os,sys,time; fd = os.open(sys.argv[1], ${flags}); print('open', flush=True); time.sleep(60)`, path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await once(child.stdout!, 'data');
  return child;
}

export interface WatchedScratch {
  sensor: FanotifySensor;
  rec: Recorder;
  s: Scratch;
  /** This Node.js binary, resolved: the parent every spawned accessor reports. */
  nodeBinary: string;
  close(): Promise<void>;
}

/** A sensor watching a fresh scratch decoy, with a Recorder on it. */
export async function watchedScratch(): Promise<WatchedScratch> {
  const sensor = new FanotifySensor();
  const rec = new Recorder(sensor);
  const s = await scratch();
  await sensor.watch(s.decoy);
  const nodeBinary = await realpath(process.execPath);
  return {
    sensor,
    rec,
    s,
    nodeBinary,
    close: async () => {
      await sensor.close();
      await s.cleanup();
    },
  };
}
