import type { ServerOptions } from 'node:http';

/**
 * Timeouts for both HTTP listeners, set here rather than left to node's defaults (five minutes
 * for a request), so a client that trickles headers or a body holds a connection for seconds.
 * Node enforces header and request timeouts on a sweep, so the sweep runs every second.
 */
export const HTTP_SERVER_OPTIONS: ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  // Longer than the idle timeout of common load balancers (60 s), which would otherwise reuse a
  // connection the server has just closed.
  keepAliveTimeout: 72_000,
  connectionsCheckingInterval: 1_000,
};

/** The default of --max-connections-per-source on the trigger listener. */
export const DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 64;
