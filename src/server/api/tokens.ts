import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { isTokenIdShape } from '../../core/ids.js';
import { MAX_TAG_LENGTH, MAX_TAGS, tokenSeveritySchema } from '../../core/model/token.js';
import { MAX_PAGE_SIZE } from '../../store/paging.js';
import type { HitRepository } from '../../store/repositories/hits.js';
import { hitView } from '../../tokens/registry.js';
import { MAX_MEMO_LENGTH, type TokenService } from '../../tokens/service.js';
import { parseInput } from './validate.js';

export interface TokenRoutesOptions {
  tokens: TokenService;
  hits: HitRepository;
}

const createBody = z
  .object({
    kind: z.string().min(1).max(64),
    memo: z.string().max(MAX_MEMO_LENGTH, `must be at most ${MAX_MEMO_LENGTH} characters`),
    redirect: z.string().max(2048).optional(),
    alertWindowSeconds: z.number().int().min(0).max(86_400).nullable().optional(),
    channels: z.array(z.string().max(64)).max(50).optional(),
    severity: tokenSeveritySchema.optional(),
    tags: z.array(z.string().max(MAX_TAG_LENGTH)).max(MAX_TAGS).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const updateBody = z
  .object({
    memo: z.string().max(MAX_MEMO_LENGTH, `must be at most ${MAX_MEMO_LENGTH} characters`).optional(),
    enabled: z.boolean().optional(),
    alertWindowSeconds: z.number().int().min(0).max(86_400).nullable().optional(),
    severity: tokenSeveritySchema.optional(),
    tags: z.array(z.string().max(MAX_TAG_LENGTH)).max(MAX_TAGS).optional(),
  })
  .strict();

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().max(512).optional(),
});

const listQuery = pageQuery.extend({
  kind: z.string().max(64).optional(),
  q: z.string().max(200).optional(),
});

const idParams = z.object({ id: z.string() });

/** Token ids are checked for shape first, so junk never reaches the store. */
function tokenId(params: unknown): string {
  const { id } = parseInput(idParams, params, 'params');
  const normalized = id.toLowerCase();
  if (!isTokenIdShape(normalized)) throw new NotFoundError('token', id.slice(0, 64));
  return normalized;
}

export async function tokenRoutes(app: FastifyInstance, { tokens, hits }: TokenRoutesOptions): Promise<void> {
  app.post('/tokens', async (request, reply) => {
    const body = parseInput(createBody, request.body, 'body');
    const view = await tokens.create(body);
    return reply.code(201).send(view);
  });

  app.get('/tokens', async (request) => {
    const query = parseInput(listQuery, request.query, 'query');
    return tokens.list({ limit: query.limit, cursor: query.cursor, kind: query.kind, search: query.q });
  });

  app.get('/tokens/:id', async (request) => tokens.get(tokenId(request.params)));

  app.patch('/tokens/:id', async (request) => {
    const id = tokenId(request.params);
    return tokens.update(id, parseInput(updateBody, request.body, 'body'));
  });

  app.delete('/tokens/:id', async (request, reply) => {
    await tokens.delete(tokenId(request.params));
    return reply.code(204).send();
  });

  app.get('/tokens/:id/hits', async (request) => {
    const id = tokenId(request.params);
    const query = parseInput(pageQuery, request.query, 'query');
    const token = await tokens.get(id);
    // The page holds the hits kept in full; the counts say how many there were in all. Each hit
    // comes with its kind's summary and facts, so clients show any kind without knowing it.
    const page = await hits.listForToken(id, query);
    return { items: page.items.map(hitView), nextCursor: page.nextCursor, hitCount: token.hitCount, hitsKept: token.hitsKept };
  });

  app.get('/tokens/:id/histogram', async (request) => {
    const id = tokenId(request.params);
    const { bucket } = parseInput(z.object({ bucket: z.enum(['hour', 'day']).default('hour') }), request.query, 'query');
    await tokens.get(id);
    return { bucket, series: await hits.histogram(id, bucket) };
  });
}
