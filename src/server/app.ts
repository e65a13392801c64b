import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { agentAdminRoutes, agentIngestRoutes } from './api/agents.js';
import { API_ACCESS, requireKey } from './api/auth.js';
import { alertRoutes } from './api/alerts.js';
import { channelRoutes } from './api/channels.js';
import { registerErrorHandler } from './api/errors.js';
import { eventRoutes } from './api/events.js';
import { registerStrictJson } from './api/json-body.js';
import { keyRoutes } from './api/keys.js';
import { tokenKindRoutes } from './api/token-kinds.js';
import { tokenRoutes } from './api/tokens.js';
import { DashboardBundle } from './dashboard/bundle.js';
import { dashboardRoutes } from './dashboard/routes.js';
import type { Services } from './services.js';
import { createHttpTrigger, isTriggerPath } from './trigger/http-trigger.js';

/** The HTTP app: REST API under /api/v1, dashboard under /ui/, health, metrics; every other path is a trigger path. */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const trigger = createHttpTrigger({ recorder: services.recorder, addresses: services.addresses, metrics: services.metrics, log: services.log });
  const app = Fastify({
    // Trigger paths go straight to the trigger handler; the framework serves the app's own routes.
    serverFactory: (appHandler) => {
      const server = createServer((request, response) => (isTriggerPath(request.url) ? trigger(request, response) : appHandler(request, response)));
      server.requestTimeout = 30_000;
      server.keepAliveTimeout = 72_000;
      return server;
    },
    loggerInstance: services.log as FastifyBaseLogger,
    // Per-request log lines would cost the trigger path dearly; failures are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
  });
  registerErrorHandler(app);

  app.addHook('onResponse', async (request, reply) => {
    services.metrics.requestDuration.series(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode).observe(reply.elapsedTime / 1000);
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(services.store.db);
      return { status: 'ok', store: services.store.dialect };
    } catch {
      services.metrics.storeErrors.inc({ operation: 'health' });
      return reply.code(503).send({ status: 'store_unavailable', store: services.store.dialect });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });

  await app.register(
    async (api) => {
      registerStrictJson(api);
      api.addHook('onRequest', requireKey(services.auth, API_ACCESS));
      await api.register(tokenRoutes, { tokens: services.tokens, hits: services.hits });
      await api.register(agentAdminRoutes, { agents: services.agents });
      await api.register(channelRoutes, { channels: services.alerting.channels });
      await api.register(alertRoutes, { alerts: services.alerting.alerts });
      await api.register(tokenKindRoutes);
      await api.register(eventRoutes, { events: services.events });
      await api.register(keyRoutes, { keys: services.keys });
      api.all('/*', async (request, reply) =>
        reply.code(404).send({ error: 'not_found', message: `no API route ${request.method} ${request.url.split('?')[0]}` }),
      );
    },
    { prefix: '/api/v1' },
  );
  // Agents report with their own keys (role agent), outside the API plugin above.
  await app.register(agentIngestRoutes, { auth: services.auth, agents: services.agents, ingest: services.agentIngest, prefix: '/api/v1/agents' });

  await app.register(dashboardRoutes, { bundle: DashboardBundle.load() });
  return app;
}
