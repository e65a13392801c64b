import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ping } from '../store/db.js';
import { agentAdminRoutes, agentIngestRoutes } from './api/agents.js';
import { API_ACCESS, requireKey } from './api/auth.js';
import { alertRoutes } from './api/alerts.js';
import { channelFilterRoutes } from './api/channel-filters.js';
import { channelRoutes } from './api/channels.js';
import { hitRoutes } from './api/hits.js';
import { noiseRoutes } from './api/noise-rules.js';
import { notFound, registerErrorHandler } from './api/errors.js';
import { decoyRoutes } from './api/decoys.js';
import { deploymentRoutes, type DeploymentRoutesOptions } from './api/deployment.js';
import { eventRoutes } from './api/events.js';
import { agentPolicyRoutes, fleetPolicyRoutes } from './api/fleet-policies.js';
import { registerStrictJson } from './api/json-body.js';
import { registerNoStore } from './api/no-store.js';
import { keyRoutes } from './api/keys.js';
import { tokenKindRoutes } from './api/token-kinds.js';
import { tokenRoutes } from './api/tokens.js';
import { DashboardBundle } from './dashboard/bundle.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { HTTP_SERVER_OPTIONS } from './http-limits.js';
import type { Services } from './services.js';
import type { ServedCertificate } from './tls/served-certificate.js';

/**
 * The admin listener's app: REST API under /api/v1, dashboard under /ui/, agent ingest, health,
 * metrics. Trigger paths live on their own listener (trigger-server.ts), never here.
 */
export async function buildApp(services: Services, options: { tls?: ServedCertificate; deployment?: DeploymentRoutesOptions } = {}): Promise<FastifyInstance> {
  const { tls } = options;
  const app = Fastify({
    // With a certificate, HTTPS: the listener presents whatever the certificate holder serves now.
    serverFactory: (appHandler) => {
      if (!tls) return createServer(HTTP_SERVER_OPTIONS, appHandler);
      const server = createHttpsServer(HTTP_SERVER_OPTIONS, appHandler);
      tls.attach(server);
      return server as unknown as ReturnType<typeof createServer>;
    },
    loggerInstance: services.log as FastifyBaseLogger,
    // A log line per request would flood the log; failures are logged where handled.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
  });
  registerErrorHandler(app);
  registerNoStore(app, '/api/v1');

  app.addHook('onResponse', async (request, reply) => {
    services.metrics.requestDuration.series(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode).observe(reply.elapsedTime / 1000);
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await ping(services.store.db);
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
      await api.register(agentAdminRoutes, { agents: services.agents, labelsChanged: () => services.fleetPolicies.touch() });
      await api.register(channelRoutes, { channels: services.alerting.channels });
      await api.register(channelFilterRoutes, { channels: services.alerting.channels });
      await api.register(hitRoutes, { hits: services.hits, db: services.store.db });
      await api.register(noiseRoutes, { noise: services.noise });
      await api.register(alertRoutes, { alerts: services.alerting.alerts });
      await api.register(tokenKindRoutes);
      await api.register(eventRoutes, { events: services.events });
      await api.register(keyRoutes, { keys: services.keys });
      await api.register(fleetPolicyRoutes, { policies: services.fleetPolicies });
      await api.register(decoyRoutes, { decoys: services.decoys, agents: services.agents });
      if (options.deployment) await api.register(deploymentRoutes, options.deployment);
      api.all('/*', async (request, reply) => reply.code(404).send(notFound(request.method, request.url)));
    },
    { prefix: '/api/v1' },
  );
  // Agents report with their own keys (role agent), outside the API plugin above.
  await app.register(agentIngestRoutes, {
    auth: services.auth,
    ingest: services.agentIngest,
    triggerUrl: () => services.artifacts.publicUrl,
    prefix: '/api/v1/agents',
  });
  await app.register(agentPolicyRoutes, { auth: services.auth, policies: services.fleetPolicies, prefix: '/api/v1/agents' });

  await app.register(dashboardRoutes, { bundle: DashboardBundle.load() });
  // Paths outside every route get the API's 404, not a framework page.
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send(notFound(request.method, request.url)));
  return app;
}
