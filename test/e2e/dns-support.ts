import { execFileSync } from 'node:child_process';
import { run } from './credentials-support.js';

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

export interface DigResult {
  status: string;
  flags: string[];
  question: string;
  answers: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  server: string;
}

/** Debian's dig (bind9-dnsutils). */
export const DIG = execFileSync('sh', ['-c', 'command -v dig'], { encoding: 'utf8' }).trim();

function section(output: string, title: string): DigRecord[] {
  const match = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(output);
  if (!match) return [];
  return match[1]!
    .split('\n')
    .filter((line) => line && !line.startsWith(';'))
    .map((line) => {
      const [name, ttl, , type, ...data] = line.split(/\s+/);
      return { name: name!, ttl: Number(ttl), type: type!, data: data.join(' ') };
    });
}

/** Runs dig against a server on loopback and reads its answer. */
export async function dig(port: number, args: string[]): Promise<DigResult> {
  const result = await run(DIG, ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=2', ...args], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  if (result.code !== 0) throw new Error(`dig ${args.join(' ')} failed (${result.code}): ${result.stdout}${result.stderr}`);
  const out = result.stdout;
  return {
    status: /status: (\w+)/.exec(out)?.[1] ?? '',
    flags: (/;; flags: ([^;]*);/.exec(out)?.[1] ?? '').trim().split(/\s+/),
    question: /;; QUESTION SECTION:\n;(\S+)/.exec(out)?.[1] ?? '',
    answers: section(out, 'ANSWER'),
    authority: section(out, 'AUTHORITY'),
    additional: section(out, 'ADDITIONAL'),
    server: /;; SERVER: (\S+)/.exec(out)?.[1] ?? '',
  };
}
