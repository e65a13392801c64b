import type { FastifyInstance } from 'fastify';
import type { TokenOptionField } from '../../tokens/kind.js';
import { tokenKinds } from '../../tokens/registry.js';

/** One entry of GET /token-kinds. */
export interface TokenKindInfo {
  kind: string;
  title: string;
  acceptsRedirect: boolean;
  options: TokenOptionField[];
}

/**
 * GET /token-kinds: every kind the server can create, with the options its create form asks for,
 * so clients (the dashboard) offer new kinds without changes of their own.
 */
export async function tokenKindRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/token-kinds',
    async (): Promise<{ items: TokenKindInfo[] }> => ({
      items: tokenKinds().map((kind) => ({
        kind: kind.kind,
        title: kind.title,
        acceptsRedirect: kind.acceptsRedirect ?? false,
        options: kind.optionFields ?? [],
      })),
    }),
  );
}
