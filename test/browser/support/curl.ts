import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Fetches a URL with the real curl, as an attacker's tooling would; returns the status code. */
export async function curl(url: string, userAgent: string, headers: Record<string, string> = {}): Promise<number> {
  const args = ['--silent', '--show-error', '--max-time', '30', '--output', '/dev/null', '--write-out', '%{http_code}', '--user-agent', userAgent];
  for (const [name, value] of Object.entries(headers)) args.push('--header', `${name}: ${value}`);
  const { stdout } = await run('curl', [...args, url]);
  return Number(stdout.trim());
}
