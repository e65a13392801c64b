import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_NOTE_LENGTH, MAX_PATTERN_LENGTH, type NoiseService } from '../../alerts/noise/noise-service.js';
import { KNOWN_SCANNERS } from '../../alerts/noise/known-scanners.js';
import { NotFoundError } from '../../core/errors.js';
import { isTokenIdShape } from '../../core/ids.js';
import { noiseRuleKindSchema } from '../../core/model/noise.js';
import { rowId } from './channels.js';
import { parseInput } from './validate.js';

export interface NoiseRoutesOptions {
  noise: NoiseService;
}

const tokenIdField = z
  .string()
  .max(64)
  .transform((id) => id.toLowerCase())
  .refine(isTokenIdShape, 'is not a token id');

const createBody = z
  .object({
    kind: noiseRuleKindSchema,
    pattern: z.string().max(MAX_PATTERN_LENGTH).optional(),
    note: z.string().max(MAX_NOTE_LENGTH).optional(),
    tokenId: tokenIdField.optional(),
  })
  .strict();

/** Noise rules: hits they match are stored, counted and shown muted, and raise no alert. */
export async function noiseRoutes(app: FastifyInstance, { noise }: NoiseRoutesOptions): Promise<void> {
  app.get('/noise-rules', async (request) => {
    const { token } = parseInput(z.object({ token: tokenIdField.optional() }).strict(), request.query, 'query');
    return { items: await noise.list({ tokenId: token }), knownScanners: KNOWN_SCANNERS };
  });

  app.post('/noise-rules', async (request, reply) => {
    const body = parseInput(createBody, request.body, 'body');
    return reply.code(201).send(await noise.create(body));
  });

  app.delete('/noise-rules/:id', async (request, reply) => {
    const id = rowId('noise rule', request.params);
    if (!(await noise.repository.find(id))) throw new NotFoundError('noise rule', id);
    await noise.delete(id);
    return reply.code(204).send();
  });
}
