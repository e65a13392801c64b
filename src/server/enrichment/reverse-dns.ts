import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../../core/errors.js';

interface Entry {
  hostname: string | null;
  expires: number;
}

const TIMEOUT_MS = 500;
const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 10_000;
/** Lookups in flight at once: a flood of new sources must not become a flood of queries. */
const MAX_PENDING = 32;

/** What is known of an address's name now. */
export interface ReverseAnswer {
  hostname?: string;
  /** Set when this call started the lookup: the name once it is in (null for none). */
  started?: Promise<string | null>;
}

/**
 * Reverse DNS through the host's own resolver (or the ones named), with a short timeout and a
 * cache. A hit never waits for it: the first hit from a source starts the lookup and is given the
 * name once it is in; that source's later hits get it from the cache when they are recorded.
 */
export class ReverseDns {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly resolver = new Resolver({ timeout: TIMEOUT_MS, tries: 1 });

  /** `servers`: resolvers to ask ("192.0.2.53", "[2001:db8::53]:5353"); the host's own when empty. */
  constructor(servers: string[] = []) {
    if (servers.length > 0) {
      try {
        this.resolver.setServers(servers);
      } catch (error) {
        throw new ConfigError(`--reverse-dns-server ${servers.join(',')}: ${(error as Error).message}`, { servers });
      }
    }
  }

  /** From the cache, at once; a lookup is started when the name is not known yet. */
  lookup(address: string): ReverseAnswer {
    const entry = this.entries.get(address);
    if (entry && entry.expires > Date.now()) return entry.hostname ? { hostname: entry.hostname } : {};
    if (isIP(address) === 0 || this.pending.has(address) || this.pending.size >= MAX_PENDING) return {};
    const started = this.resolver
      .reverse(address)
      .then((names) => names[0] ?? null)
      .catch(() => null)
      .then((hostname) => {
        if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(address, { hostname, expires: Date.now() + TTL_MS });
        this.pending.delete(address);
        return hostname;
      });
    this.pending.set(address, started);
    return { started };
  }
}
