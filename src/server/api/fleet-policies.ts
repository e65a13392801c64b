import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { MAX_NODE_NAME } from '../../core/agent-protocol.js';
import type { FleetPolicyService } from '../fleet-policies.js';
import { AGENT_ACCESS, requireKey, type Authenticator } from './auth.js';
import { parseInput } from './validate.js';

/** A label key or value as agents are enrolled with them: printable, no `=` or `,` in keys. */
export const labelKey = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'letters, digits, ".", "_", "/" and "-", starting with a letter or digit');
export const labelValue = z
  .string()
  .max(63)
  .regex(/^[A-Za-z0-9._/-]*$/, 'letters, digits, ".", "_", "/" and "-"');
export const labelsSchema = z.record(labelKey, labelValue).refine((l) => Object.keys(l).length <= 64, { message: 'at most 64 labels' });

const applyBody = z
  .object({
    /** One or more TracingPolicy YAML documents. */
    document: z
      .string()
      .min(1)
      .max(1024 * 1024),
    /** Names the text in error messages (the file it came from). */
    file: z.string().min(1).max(4096).optional(),
    agents: z.array(z.string().min(1).max(MAX_NODE_NAME)).max(1000).optional(),
    labels: labelsSchema.optional(),
  })
  .strict();

function policyName(params: unknown): string {
  const { name } = parseInput(z.object({ name: z.string() }), params, 'params');
  if (name.length === 0 || name.length > 253) throw new NotFoundError('policy', name.slice(0, 64));
  return name;
}

/** `policy apply|list|delete`: admin routes, under the API's key check. */
export async function fleetPolicyRoutes(app: FastifyInstance, { policies }: { policies: FleetPolicyService }): Promise<void> {
  app.post('/policies', { bodyLimit: 2 * 1024 * 1024 }, async (request, reply) => {
    const body = parseInput(applyBody, request.body, 'body');
    const result = await policies.apply(body.file ?? 'policy', body.document, { agents: body.agents ?? [], labels: body.labels ?? {} });
    return reply.code(201).send(result);
  });

  app.get('/policies', async () => policies.list());

  app.delete('/policies/:name', async (request, reply) => {
    await policies.delete(policyName(request.params));
    return reply.code(204).send();
  });
}

const fetchQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  /** policySetDigest of the set the agent holds. */
  digest: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** Seconds to wait for a change past `after`. */
  wait: z.coerce.number().min(0).max(30).default(0),
});

/**
 * What agents call with their own key: the policies that target them, once the set's version is
 * past the one they hold (long poll). Mounted beside the agent ingest routes.
 */
export async function agentPolicyRoutes(app: FastifyInstance, { auth, policies }: { auth: Authenticator; policies: FleetPolicyService }): Promise<void> {
  app.addHook('onRequest', requireKey(auth, AGENT_ACCESS));
  app.get('/policies', async (request) => {
    const { after, digest, wait } = parseInput(fetchQuery, request.query, 'query');
    // A client that hangs up ends the wait rather than holding it to the end.
    const gone = new AbortController();
    request.raw.once('close', () => gone.abort());
    return policies.forAgent(request.apiKey!.id, after, digest, wait * 1000, gone.signal);
  });
}
