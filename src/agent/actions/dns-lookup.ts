import { Resolver } from 'node:dns/promises';
import type { OutboundTask, Perform } from './outbound.js';

/** Answers that prove the query reached DNS: for a canary name, being asked is the point. */
const ANSWERED = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/**
 * Tetragon's DnsLookup: resolve the policy's name (a DNS canary token) so that its nameserver
 * sees the query. c-ares rather than getaddrinfo, which would occupy the libuv pool that the
 * sensor needs for reading /proc while accessors wait. `servers` defaults to the system's.
 */
export function dnsLookup(servers?: string[]): Perform {
  return async (task: OutboundTask, signal: AbortSignal): Promise<void> => {
    const resolver = new Resolver({ tries: 1 });
    if (servers) resolver.setServers(servers);
    const cancel = () => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      await resolver.resolve4(task.target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!ANSWERED.has(code)) throw new Error(`lookup of ${task.target} failed (${code || (err as Error).message})`);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };
}
