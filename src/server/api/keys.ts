import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KEY_ROLES, type ApiKeyRepository } from '../../store/repositories/api-keys.js';
import { requireRole } from './auth.js';
import { rowId } from './channels.js';
import { parseInput } from './validate.js';

const MAX_KEY_NAME = 100;

const createBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'must name the key (who or what uses it)')
      .max(MAX_KEY_NAME)
      .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), { message: 'must be printable' }),
    role: z.enum(KEY_ROLES),
  })
  .strict();

export interface KeyRoutesOptions {
  keys: ApiKeyRepository;
}

/**
 * Creating, listing and revoking API keys. Admin keys only, reads included: the list says who has
 * access, which a read-only key has no need to know.
 */
export async function keyRoutes(app: FastifyInstance, { keys }: KeyRoutesOptions): Promise<void> {
  app.addHook('onRequest', requireRole(['admin']));

  app.get('/keys', async () => ({ items: await keys.list(), roles: KEY_ROLES }));

  app.post('/keys', async (request, reply) => {
    const { name, role } = parseInput(createBody, request.body, 'body');
    const { key, record } = await keys.create(name, role);
    request.log.info({ keyId: record.id, keyPrefix: record.prefix, role, by: request.apiKey?.id }, 'API key created');
    return reply.code(201).send({ ...record, key });
  });

  const revoke = async (request: FastifyRequest) => {
    const revoked = await keys.revoke(rowId('key', request.params));
    // Logged at warn, like refused keys: a revocation is what an operator looks for after a leak.
    request.log.warn({ keyId: revoked.id, keyPrefix: revoked.prefix, by: request.apiKey?.id }, 'API key revoked');
    return revoked;
  };

  app.post('/keys/:id/revoke', revoke);

  app.delete('/keys/:id', async (request, reply) => {
    await revoke(request);
    return reply.code(204).send();
  });
}
