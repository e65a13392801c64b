import type { FastifyError, FastifyInstance } from 'fastify';
import { TriplineError } from '../../core/errors.js';

interface ErrorBody {
  error: string;
  message: string;
  [key: string]: unknown;
}

/**
 * Maps every failure to a JSON answer: Tripline's own errors keep their status and context,
 * Fastify's client errors (bad JSON, too large, unsupported type) keep their 4xx, and anything
 * else is a logged 500 that shows no internals.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | TriplineError | Error, request, reply) => {
    let status = 500;
    let body: ErrorBody = { error: 'internal', message: 'internal error; the server log has the details' };
    if (error instanceof TriplineError) {
      status = error.status;
      body = { ...error.context, error: error.code, message: error.message };
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      status = error.statusCode;
      body = { error: (error as FastifyError).code ?? 'bad_request', message: error.message };
    }
    if (status >= 500) request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
    reply.raw.sendDate = true;
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  });
}

/** The API's answer for a path no route serves. */
export function notFound(method: string, url: string): ErrorBody {
  return { error: 'not_found', message: `no API route ${method} ${url.split('?')[0]}` };
}
