import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import type { Agent, AgentRepository } from '../../store/repositories/agents.js';
import type { AgentIngest } from '../agent-ingest.js';
import { AGENT_EVENTS_BODY_LIMIT, AGENT_HEARTBEAT_BODY_LIMIT, eventsBodySchema, heartbeatSchema, MAX_NODE_NAME, ROW_ID } from '../../core/agent-protocol.js';
import { AGENT_ACCESS, requireKey, type Authenticator } from './auth.js';
import { registerStrictJson } from './json-body.js';
import { labelKey, labelsSchema, labelValue } from './fleet-policies.js';
import { parseInput } from './validate.js';

/** How often agents send a heartbeat (the agent's --heartbeat-interval default); an agent is
 * online while seen within three of them. */
export const AGENT_HEARTBEAT_INTERVAL_MS = 15_000;
export const AGENT_ONLINE_WINDOW_MS = 3 * AGENT_HEARTBEAT_INTERVAL_MS;
const MAX_AGENT_NAME = 100;

/** The :id of an agent route, checked for shape first so junk never reaches the store. */
function agentId(params: unknown): string {
  const { id } = parseInput(z.object({ id: z.string() }), params, 'params');
  const normalized = id.toLowerCase();
  // Agent ids are API key ids: newRowId()s.
  if (!ROW_ID.test(normalized)) throw new NotFoundError('agent', id.slice(0, 64));
  return normalized;
}

export interface AgentView extends Agent {
  online: boolean;
}

export function presentAgent(agent: Agent, now = Date.now()): AgentView {
  const online = agent.lastSeen !== null && now - Date.parse(agent.lastSeen) <= AGENT_ONLINE_WINDOW_MS;
  return { ...agent, online };
}

const printable = (text: string) => !/[\u0000-\u001f\u007f]/.test(text);

const enrollBody = z
  .object({
    name: z.string().trim().min(1, 'must name the agent (usually its host)').max(MAX_AGENT_NAME).refine(printable, { message: 'must be printable' }),
    // The agent's --node-name, fixed here: its key can report for this node only.
    node: z
      .string()
      .trim()
      .min(1, 'must be the node name the agent reports (its --node-name)')
      .max(MAX_NODE_NAME)
      .refine(printable, { message: 'must be printable' })
      .optional(),
    /** What central policies target agents by (`policy apply --agent-label k=v`). */
    labels: labelsSchema.optional(),
  })
  .strict();

/** Labels to set (a value) or remove (null). */
const labelsBody = z.object({ labels: z.record(labelKey, labelValue.nullable()) }).strict();

export interface AgentAdminRoutesOptions {
  agents: AgentRepository;
  /** Told when labels change, so agents waiting for policies see what now targets them. */
  labelsChanged?: () => void;
}

/** Enrolling, listing and revoking agents: admin routes, under the API's admin key check. */
export async function agentAdminRoutes(app: FastifyInstance, { agents, labelsChanged }: AgentAdminRoutesOptions): Promise<void> {
  app.post('/agents', async (request, reply) => {
    const { name, node, labels } = parseInput(enrollBody, request.body, 'body');
    const { agent, key } = await agents.enroll(name, node ?? name, labels ?? {});
    return reply.code(201).send({ ...presentAgent(agent), key });
  });

  app.get('/agents', async () => {
    const now = Date.now();
    return { items: (await agents.list()).map((agent) => presentAgent(agent, now)), onlineWindowSeconds: AGENT_ONLINE_WINDOW_MS / 1000 };
  });

  app.get('/agents/:id', async (request) => {
    const id = agentId(request.params);
    const agent = await agents.find(id);
    if (!agent) throw new NotFoundError('agent', id);
    return presentAgent(agent);
  });

  app.patch('/agents/:id/labels', async (request) => {
    const id = agentId(request.params);
    const { labels } = parseInput(labelsBody, request.body, 'body');
    const agent = await agents.setLabels(id, labels);
    labelsChanged?.();
    return presentAgent(agent);
  });

  app.delete('/agents/:id', async (request, reply) => {
    await agents.revoke(agentId(request.params));
    return reply.code(204).send();
  });
}

export interface AgentIngestRoutesOptions {
  auth: Authenticator;
  ingest: AgentIngest;
  /** The base of this server's trigger URLs, told to agents: a GetUrl there is reported, not fetched. */
  triggerUrl?: () => string;
}

/**
 * What agents call, with their own key (role agent): event batches and heartbeats. A plugin of
 * its own because the API's other routes refuse agent keys, and because each route has its own
 * body limit. The key is checked on request, before the body is read, so nobody without a key
 * can make the server read or parse megabytes.
 */
export async function agentIngestRoutes(app: FastifyInstance, { auth, ingest, triggerUrl }: AgentIngestRoutesOptions): Promise<void> {
  registerStrictJson(app, AGENT_HEARTBEAT_BODY_LIMIT);
  app.addHook('onRequest', requireKey(auth, AGENT_ACCESS));

  app.post('/events', { bodyLimit: AGENT_EVENTS_BODY_LIMIT }, async (request) => {
    const { events } = parseInput(eventsBodySchema, request.body, 'body');
    return ingest.ingest(request.apiKey!, events);
  });

  app.post('/heartbeat', { bodyLimit: AGENT_HEARTBEAT_BODY_LIMIT }, async (request) => {
    const heartbeat = parseInput(heartbeatSchema, request.body, 'body');
    await ingest.heartbeat(request.apiKey!, heartbeat);
    const url = triggerUrl?.();
    return url ? { triggerUrl: url } : {};
  });
}
