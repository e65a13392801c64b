import { createServer, type Server } from 'node:http';
import { capConnectionsPerSource } from './connection-cap.js';
import { HTTP_SERVER_OPTIONS } from './http-limits.js';
import type { Services } from './services.js';
import { createHttpTrigger } from './trigger/http-trigger.js';

/**
 * The trigger listener: a plain node server whose every path is a trigger path. Nothing else is
 * mounted on it (no API, dashboard, health or metrics), so nothing on it tells the host apart.
 */
export function createTriggerServer(services: Services, options: { maxConnectionsPerSource: number }): Server {
  const trigger = createHttpTrigger({ recorder: services.recorder, addresses: services.addresses, metrics: services.metrics, log: services.log });
  const server = createServer(HTTP_SERVER_OPTIONS, trigger);
  const refused = services.metrics.counter(
    'tripline_trigger_connections_refused_total',
    'Connections to the trigger listener closed at once because their source already held --max-connections-per-source.',
    [],
  );
  capConnectionsPerSource(server, options.maxConnectionsPerSource, () => refused.inc());
  return server;
}
