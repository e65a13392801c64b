import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DashboardBundle, DashboardFile } from './bundle.js';
import { setDashboardSecurityHeaders } from './security-headers.js';

export interface DashboardRoutesOptions {
  /** The built dashboard; undefined when web/dist is missing. */
  bundle: DashboardBundle | undefined;
}

export const DASHBOARD_PREFIX = '/ui/';

/** The path inside the bundle that a request names, or undefined for one that cannot be a file. */
function bundlePath(rawUrl: string): string | undefined {
  const path = rawUrl.split('?')[0]!.slice(DASHBOARD_PREFIX.length);
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** Client-side routes look like /ui/tokens/abc; anything with a file extension or under assets/
 * is a file request, and a missing file is a 404 rather than the page (which would hide errors). */
function isClientRoute(path: string): boolean {
  const last = path.split('/').pop() ?? '';
  return !path.startsWith('assets/') && !last.includes('.');
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: DashboardFile): FastifyReply {
  setDashboardSecurityHeaders(reply)
    .header('content-type', file.contentType)
    .header('etag', file.etag)
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.code(200).send(file.body);
}

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return setDashboardSecurityHeaders(reply).code(status).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(text);
}

/**
 * The dashboard under /ui/, on the admin listener only: on the trigger listener /ui/ is a trigger
 * path like any other, so a canary host shows nothing about what runs there.
 */
export async function dashboardRoutes(app: FastifyInstance, { bundle }: DashboardRoutesOptions): Promise<void> {
  // Bodies sent to dashboard paths are never used: drain them instead of parsing.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null) => void) => {
    payload.resume();
    payload.on('end', () => done(null));
    payload.on('error', done);
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/ui',
    exposeHeadRoute: false,
    handler: async (_request, reply) => setDashboardSecurityHeaders(reply).redirect(DASHBOARD_PREFIX, 308),
  });

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: `${DASHBOARD_PREFIX}*`,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return sendText(reply.header('allow', 'GET, HEAD'), 405, 'The dashboard only serves GET and HEAD.\n');
      }
      if (!bundle) return sendText(reply, 503, 'The dashboard is not built: run `make web` (or `make build`) and restart the server.\n');
      const path = bundlePath(request.raw.url ?? DASHBOARD_PREFIX);
      if (path === undefined) return sendText(reply, 400, 'Bad path.\n');
      const file = path === '' ? bundle.index : bundle.file(path);
      if (file) return sendFile(request, reply, file);
      if (isClientRoute(path)) return sendFile(request, reply, bundle.index);
      return sendText(reply, 404, 'Not found.\n');
    },
  });
}
