import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Counter } from 'prom-client';
import { capConnectionsPerSource } from './connection-cap.js';
import { HTTP_SERVER_OPTIONS } from './http-limits.js';
import type { Services } from './services.js';
import { withFronts, type TriggerFront } from './tls/trigger-front.js';
import { createHttpTrigger } from './trigger/http-trigger.js';

/**
 * A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3), and the
 * trigger reads a body only when one of them is there (hasBody in trigger/read-body.ts). For those
 * requests node then skips the request stream's events and the dump at the answer's end: about 5%
 * of a trigger request's CPU under a flood of GETs.
 */
const TRIGGER_SERVER_OPTIONS = { ...HTTP_SERVER_OPTIONS, optimizeEmptyRequests: true };

/** One counter for the plain and the HTTPS trigger listeners of a server. */
const refusedCounters = new WeakMap<Services['metrics'], Counter>();

function refusedCounter(metrics: Services['metrics']): Counter {
  let counter = refusedCounters.get(metrics);
  if (!counter) {
    counter = metrics.counter(
      'tripline_trigger_connections_refused_total',
      'Connections to the trigger listener closed at once because their source already held --max-connections-per-source.',
      [],
    );
    refusedCounters.set(metrics, counter);
  }
  return counter;
}

export interface TriggerServerOptions {
  maxConnectionsPerSource: number;
  /** HTTPS: the certificate is set later (ServedCertificate.attach); until then handshakes fail. */
  tls?: boolean;
  /** Answers taken before the trigger's: ACME challenges, the redirect to HTTPS. */
  fronts?: TriggerFront[];
}

/**
 * The trigger listener: a plain node server whose every path is a trigger path. Nothing else is
 * mounted on it (no API, dashboard, health or metrics), so nothing on it tells the host apart.
 */
export function createTriggerServer(services: Services, options: TriggerServerOptions & { tls: true }): HttpsServer;
export function createTriggerServer(services: Services, options: TriggerServerOptions): Server;
export function createTriggerServer(services: Services, options: TriggerServerOptions): Server | HttpsServer {
  const trigger = withFronts(
    options.fronts ?? [],
    createHttpTrigger({ recorder: services.recorder, addresses: services.addresses, metrics: services.metrics, log: services.log }),
  );
  const server = options.tls ? createHttpsServer(TRIGGER_SERVER_OPTIONS, trigger) : createServer(TRIGGER_SERVER_OPTIONS, trigger);
  const refused = refusedCounter(services.metrics);
  capConnectionsPerSource(server, options.maxConnectionsPerSource, () => refused.inc());
  return server;
}
