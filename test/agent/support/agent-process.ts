/**
 * The real agent as a separate process (`tripline agent` through tsx), its stderr log parsed line
 * by line so tests can wait for what it says. A separate process, because the agent blocks the
 * processes touching its decoys until it answers, and the test runner must not be one of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitForItem } from '../../support/wait.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export const ERROR = 50;

export class AgentProcess {
  readonly logs: LogLine[] = [];
  readonly stdout: string[] = [];
  private exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    let buffered = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) this.logs.push(parseLine(line));
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      this.stdout.push(...lines);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts `tripline agent ARGS` and waits until it says it is ready. */
  static async start(args: string[], env: Record<string, string> = {}): Promise<AgentProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'agent', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIPLINE_URL: '', TRIPLINE_AGENT_KEY: '', ...env },
    });
    const agent = new AgentProcess(child);
    await agent.waitForLog((l) => l.msg === 'agent ready', 30_000);
    return agent;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the first log line (seen so far or later) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    return waitForItem('an agent log line that matches', this.logs, match, timeoutMs);
  }

  /** SIGKILL (no shutdown code runs, as when an intruder kills it), and the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, and the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { level: 0, msg: line };
  }
}
