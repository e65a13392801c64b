import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/process.js';
import type { TestServer } from '../support/server.js';

/** A scratch directory for one test file's artifacts and client profiles. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a program to completion, never through a shell. */
export function runProgram(file: string, args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `tripline token create --kind K --memo M --out FILE --json` against an in-process server; the created token. */
export async function createWithCli(
  server: TestServer,
  kind: string,
  out: string | undefined,
  extra: string[] = [],
): Promise<{ id: string; url: string | null; hostname: string | null; artifact: { file?: { name: string } } }> {
  const args = ['token', 'create', '--kind', kind, '--memo', `${kind} artifact`, ...(out ? ['--out', out] : []), ...extra, '--json'];
  const result = await runCli(args, { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key });
  if (result.code !== 0) throw new Error(`token create --kind ${kind} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
