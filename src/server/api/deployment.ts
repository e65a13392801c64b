import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, RateLimitedError } from '../../core/errors.js';
import type { ProbeArrival, ReachProbes } from '../reach-probes.js';
import type { CertificateFacts } from '../tls/served-certificate.js';
import { parseInput } from './validate.js';

/** What `tripline doctor` needs to know about the running server. */
export interface DeploymentView {
  publicUrl: string;
  triggerUrl: string;
  dashboardUrl: string;
  dns: { zone: string; host: string; port: number } | null;
  tls: {
    url: string;
    source: 'files' | 'acme';
    acme: { directory: string; domains: string[] } | null;
    /** The certificate served now; null while an ACME order is still pending. */
    certificate: CertificateFacts | null;
  } | null;
  serverTime: string;
  /** The store's clock, read in the same request. */
  storeTime: string;
}

export interface DeploymentRoutesOptions {
  describe: () => Promise<DeploymentView>;
  probes: ReachProbes;
}

/**
 * GET /deployment, and reachability probes: POST /deployment/probes hands out a fresh random id
 * to request through the public URL; GET /deployment/probes/:id says whether it arrived here.
 */
export async function deploymentRoutes(app: FastifyInstance, { describe, probes }: DeploymentRoutesOptions): Promise<void> {
  app.get('/deployment', async () => describe());

  app.post('/deployment/probes', async (_request, reply) => {
    const id = probes.create();
    if (!id) throw new RateLimitedError('too many reachability probes open; try again in two minutes', 120);
    return reply.code(201).send({ id });
  });

  app.get('/deployment/probes/:id', async (request): Promise<{ id: string; arrived: boolean; arrival: ProbeArrival | null }> => {
    const { id } = parseInput(z.object({ id: z.string().max(64) }), request.params, 'params');
    const arrival = probes.arrival(id);
    if (arrival === undefined) throw new NotFoundError('probe', id);
    return { id, arrived: arrival !== null, arrival };
  });
}
