import type { FastifyInstance } from 'fastify';
import { tokenKinds } from '../../tokens/registry.js';

/**
 * GET /token-kinds: every kind the server can create, with the options its create form asks for,
 * so clients (the dashboard) offer new kinds without changes of their own.
 */
export async function tokenKindRoutes(app: FastifyInstance): Promise<void> {
  app.get('/token-kinds', async () => ({
    items: tokenKinds().map((kind) => ({
      kind: kind.kind,
      title: kind.title,
      acceptsRedirect: kind.acceptsRedirect ?? false,
      options: kind.optionFields ?? [],
    })),
  }));
}
