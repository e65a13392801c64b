import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/** A throwaway PostgreSQL server: Debian's package, on loopback, in a temporary directory. */
export interface TestPostgres {
  /** URL of a fresh, empty database on this server. */
  newDatabase(): Promise<string>;
  /** Shuts the server down (fast: sessions are cut) and keeps its data, for start() to bring back on the same port. */
  halt(): void;
  /** Starts the server halt() stopped. */
  start(): void;
  /** The server's processes (postmaster and backends) now, for measuring their CPU time. */
  pids(): number[];
  stop(): void;
}

export interface PostgresOptions {
  /** fsync on, as in production: for benchmarks that compare commit rates with a syncing SQLite. Tests leave it off. */
  durable?: boolean;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed (make test installs Debian package postgresql)');
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

function uidOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  return { uid, gid };
}

let counter = 0;

export async function startPostgres(options: PostgresOptions = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tripline-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // PostgreSQL refuses to run as root, so the cluster belongs to the postgres system user.
  const runAs = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (runAs.length > 0) {
    const { uid, gid } = uidOf('postgres');
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const [file, ...rest] = [...runAs, join(bin, cmd), ...args];
    execFileSync(file!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  run('initdb', ['-D', data, '-U', 'tripline', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const pgStart = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=${options.durable ? 'on' : 'off'} -c max_connections=200`,
      'start',
    ]);
  pgStart();
  let running = true;
  const base = `postgres://tripline@127.0.0.1:${port}`;
  return {
    async newDatabase() {
      const name = `t${process.pid}_${++counter}`;
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      await client.query(`create database ${name}`);
      await client.end();
      return `${base}/${name}`;
    },
    halt() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    start() {
      pgStart();
      running = true;
    },
    pids() {
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const children = readdirSync('/proc').filter((entry) => {
        if (!/^\d+$/.test(entry)) return false;
        try {
          // Field 4 of stat is the parent pid; the command name before it may hold spaces, so split after its ')'.
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      });
      return [postmaster, ...children.map(Number)];
    },
    stop() {
      try {
        if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
