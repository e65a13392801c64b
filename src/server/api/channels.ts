import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { CHANNEL_KINDS } from '../../alerts/channels/registry.js';
import { MAX_CHANNEL_NAME, type ChannelService } from '../../alerts/channel-service.js';
import { parseInput } from './validate.js';

export interface ChannelRoutesOptions {
  channels: ChannelService;
}

const createBody = z
  .object({
    kind: z.string().min(1).max(32),
    name: z.string().max(MAX_CHANNEL_NAME).optional(),
    default: z.boolean().optional(),
    /** Receives the alerts about agents (silent, back, stopped) instead of the default channels. */
    agents: z.boolean().optional(),
    url: z.string().max(2048).optional(),
    secret: z.string().max(256).optional(),
    to: z.union([z.string().max(254), z.array(z.string().max(254)).max(50)]).optional(),
    severity: z.string().max(32).optional(),
    token: z.string().max(512).optional(),
    apiKey: z.string().max(1024).optional(),
    routingKey: z.string().max(128).optional(),
    botToken: z.string().max(256).optional(),
    chatId: z.string().max(64).optional(),
    index: z.string().max(255).optional(),
    sourcetype: z.string().max(255).optional(),
    format: z.string().max(16).optional(),
    facility: z.string().max(16).optional(),
    ca: z.string().max(65_536).optional(),
  })
  .strict();

const ROW_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;

/** Row ids are checked for shape first, so junk never reaches the store. */
export function rowId(what: string, params: unknown): string {
  const { id } = parseInput(z.object({ id: z.string() }), params, 'params');
  const normalized = id.toLowerCase();
  if (!ROW_ID.test(normalized)) throw new NotFoundError(what, id.slice(0, 64));
  return normalized;
}

export async function channelRoutes(app: FastifyInstance, { channels }: ChannelRoutesOptions): Promise<void> {
  app.post('/channels', async (request, reply) => {
    const body = parseInput(createBody, request.body, 'body');
    const created = await channels.create({
      kind: body.kind,
      name: body.name,
      isDefault: body.default,
      forAgents: body.agents,
      url: body.url,
      secret: body.secret,
      to: typeof body.to === 'string' ? [body.to] : body.to,
      severity: body.severity,
      token: body.token,
      apiKey: body.apiKey,
      routingKey: body.routingKey,
      botToken: body.botToken,
      chatId: body.chatId,
      index: body.index,
      sourcetype: body.sourcetype,
      format: body.format,
      facility: body.facility,
      ca: body.ca,
    });
    return reply.code(201).send(created);
  });

  app.get('/channels', async () => ({ items: await channels.list(), kinds: CHANNEL_KINDS }));

  app.get('/channels/:id', async (request) => channels.get(rowId('channel', request.params)));

  app.delete('/channels/:id', async (request, reply) => {
    await channels.delete(rowId('channel', request.params));
    return reply.code(204).send();
  });

  app.post('/channels/:id/test', async (request) => channels.test(rowId('channel', request.params)));
}
