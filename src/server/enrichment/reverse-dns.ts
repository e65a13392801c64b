import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

interface Entry {
  hostname: string | null;
  expires: number;
}

const TIMEOUT_MS = 500;
const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 10_000;
/** Lookups in flight at once: a flood of new sources must not become a flood of queries. */
const MAX_PENDING = 32;

/**
 * Reverse DNS through the host's own resolver, with a short timeout and a cache. A hit never waits
 * for it: the first hit from a source starts the lookup, and the name joins that source's hits
 * recorded once the answer is in.
 */
export class ReverseDns {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly resolver = new Resolver({ timeout: TIMEOUT_MS, tries: 1 });

  /** The cached name; undefined when unknown yet (a lookup is started) or known to have none. */
  cached(address: string): string | undefined {
    const entry = this.entries.get(address);
    if (entry && entry.expires > Date.now()) return entry.hostname ?? undefined;
    void this.resolve(address);
    return undefined;
  }

  /** The name, from the cache or a lookup; null when there is none or the lookup failed. */
  resolve(address: string): Promise<string | null> {
    const entry = this.entries.get(address);
    if (entry && entry.expires > Date.now()) return Promise.resolve(entry.hostname);
    if (isIP(address) === 0) return Promise.resolve(null);
    const running = this.pending.get(address);
    if (running) return running;
    if (this.pending.size >= MAX_PENDING) return Promise.resolve(null);
    const lookup = this.resolver
      .reverse(address)
      .then((names) => names[0] ?? null)
      .catch(() => null)
      .then((hostname) => {
        if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(address, { hostname, expires: Date.now() + TTL_MS });
        this.pending.delete(address);
        return hostname;
      });
    this.pending.set(address, lookup);
    return lookup;
  }
}
