import type { FastifyInstance } from 'fastify';

/**
 * API answers carry tokens, keys and attacker data: no browser or proxy may keep a copy. Set for
 * every answer under the prefix, errors and 404s included, from one root hook.
 */
export function registerNoStore(app: FastifyInstance, prefix: string): void {
  app.addHook('onSend', async (request, reply) => {
    const path = request.url;
    if (path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`)) reply.header('cache-control', 'no-store');
  });
}
