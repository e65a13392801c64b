import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TriplineError } from '../../core/errors.js';
import type { ClientAddressResolver } from '../client-address.js';
import type { HitRecorder } from '../hit-recorder.js';
import {
  CAPTURE_LIMITS,
  captureBody,
  captureHeaders,
  captureUserAgent,
  splitTarget,
  type CapturedBody,
  type HttpHitDetail,
} from './capture.js';
import { answerCredentialClient } from './answer-credential-client.js';
import { credentialClientTokenIds, credentialHitDetail, recognizeCredentialClient } from './credential-client.js';
import { candidateTokenIds } from './find-token-id.js';
import { TRANSPARENT_GIF } from './gif.js';

export interface HttpTriggerOptions {
  recorder: HitRecorder;
  addresses: ClientAddressResolver;
}

class BodyTooLargeError extends TriplineError {
  constructor() {
    super(`request body is larger than ${CAPTURE_LIMITS.bodyMax} bytes`, 'body_too_large', 413);
  }
}

/**
 * Reads any body, keeping the first bytes and counting the rest, so a trigger never buffers an
 * attacker's upload whole and never refuses a content type.
 */
function bodyCollector(_request: FastifyRequest, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: CapturedBody) => void): void {
  const head: Buffer[] = [];
  let kept = 0;
  let size = 0;
  let finished = false;
  const finish = (error: Error | null, body?: CapturedBody) => {
    if (finished) return;
    finished = true;
    done(error, body);
  };
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > CAPTURE_LIMITS.bodyMax) {
      finish(new BodyTooLargeError());
      return;
    }
    if (kept < CAPTURE_LIMITS.bodyHead) {
      const part = chunk.subarray(0, CAPTURE_LIMITS.bodyHead - kept);
      head.push(part);
      kept += part.length;
    }
  });
  payload.on('end', () => finish(null, size === 0 ? undefined : captureBody(Buffer.concat(head), size)));
  payload.on('error', (error: Error) => finish(error));
}

/** Unknown, disabled and live tokens all get these exact bytes (no Date header, same length). */
function sendGif(reply: FastifyReply): FastifyReply {
  reply.raw.sendDate = false;
  return reply
    .code(200)
    .header('content-type', 'image/gif')
    .header('cache-control', 'no-store, no-cache, must-revalidate, max-age=0')
    .header('pragma', 'no-cache')
    .send(TRANSPARENT_GIF);
}

/** Every path outside the API, dashboard, health and metrics is a trigger path. */
export async function httpTriggerRoutes(app: FastifyInstance, options: HttpTriggerOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', bodyCollector);

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { path, query } = splitTarget(request.raw.url ?? '/');
    // Credential clients (git, kubectl, AWS CLI, API callers) are answered by request shape.
    const client = recognizeCredentialClient({ path, query, headers: request.headers });
    const clientRequest = { path, query, headers: request.headers, body: request.body as CapturedBody | undefined };
    const token = await options.recorder.findLive([...candidateTokenIds(path), ...credentialClientTokenIds(client)]);
    if (!token) return client ? answerCredentialClient(reply, client, clientRequest) : sendGif(reply);
    const detail: HttpHitDetail = {
      method: request.method,
      path,
      query,
      headers: captureHeaders(request.headers),
    };
    const body = request.body as CapturedBody | undefined;
    if (body) detail.body = body;
    if (client) Object.assign(detail, credentialHitDetail(token, client, request.method, path));
    await options.recorder.record(token, {
      source: options.addresses.resolve(request.raw.socket.remoteAddress, request.headers),
      userAgent: captureUserAgent(request.headers),
      detail,
    });
    if (client) return answerCredentialClient(reply, client, clientRequest);
    if (token.redirect) {
      reply.raw.sendDate = false;
      return reply.code(302).header('cache-control', 'no-store').header('location', token.redirect).send();
    }
    return sendGif(reply);
  };

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/*', handler, exposeHeadRoute: false });
}
