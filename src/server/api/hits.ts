import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { explainHit } from '../../alerts/explain.js';
import { NotFoundError } from '../../core/errors.js';
import { isTokenIdShape } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import { MAX_PAGE_SIZE } from '../../store/paging.js';
import type { HitRepository } from '../../store/repositories/hits.js';
import { hitView } from '../../tokens/registry.js';
import { parseInput } from './validate.js';

export interface HitRoutesOptions {
  hits: HitRepository;
  /** The store itself, for explanations (they read alerts and channels too). */
  db: Db;
}

const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
    cursor: z.string().max(512).optional(),
    kind: z.string().max(64).optional(),
    token: z
      .string()
      .max(64)
      .transform((id) => id.toLowerCase())
      .refine(isTokenIdShape, 'is not a token id')
      .optional(),
    tag: z.string().max(64).optional(),
    source: z.string().max(256).optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'is not a two-letter country code')
      .optional(),
    muted: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** Hit ids are the server's row ids or an agent's event ids: short, plain text. */
function hitId(params: unknown): string {
  const { id } = parseInput(z.object({ id: z.string() }), params, 'params');
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(id)) throw new NotFoundError('hit', id.slice(0, 64));
  return id;
}

/** The Activity view's API: every token's hits, one hit, why it did or did not alert, a 30-day chart. */
export async function hitRoutes(app: FastifyInstance, { hits, db }: HitRoutesOptions): Promise<void> {
  app.get('/hits', async (request) => {
    const query = parseInput(listQuery, request.query, 'query');
    const page = await hits.list({
      limit: query.limit,
      cursor: query.cursor,
      kind: query.kind,
      tokenId: query.token,
      tag: query.tag,
      source: query.source,
      country: query.country,
      muted: query.muted === undefined ? undefined : query.muted === 'true',
    });
    return { items: page.items.map(hitView), nextCursor: page.nextCursor };
  });

  app.get('/hits/daily', async (request) => {
    const { days } = parseInput(z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict(), request.query, 'query');
    return { days, series: await hits.dailyTotals(days) };
  });

  app.get('/hits/:id', async (request) => hitView(await hits.get(hitId(request.params))));

  app.get('/hits/:id/explain', async (request) => explainHit(db, hitId(request.params)));
}
