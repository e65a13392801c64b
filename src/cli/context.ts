import type { Command } from 'commander';
import { ApiClient, DEFAULT_SERVER_URL } from './client.js';

export interface GlobalOptions {
  server?: string;
  key?: string;
}

/** The API client for a command, from --server/--key or TRIPLINE_URL/TRIPLINE_KEY. */
export function clientFor(command: Command): ApiClient {
  const options = command.optsWithGlobals<GlobalOptions>();
  return new ApiClient({
    server: options.server ?? process.env.TRIPLINE_URL ?? DEFAULT_SERVER_URL,
    key: options.key ?? process.env.TRIPLINE_KEY,
  });
}

/** Collects a repeatable option (--channel A --channel B) into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`"${value}" is not a positive whole number`);
  return n;
}
