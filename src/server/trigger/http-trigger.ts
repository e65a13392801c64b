import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ClientAddressResolver } from '../client-address.js';
import type { Token } from '../../store/repositories/tokens.js';
import type { HitRecorder } from '../hit-recorder.js';
import type { ServerMetrics } from '../metrics.js';
import type { CapturedBody, HttpHitDetail } from '../../core/model/hit-detail.js';
import { captureHeaders, captureUserAgent, splitTarget } from './capture.js';
import { answerCredentialClient } from './answer-credential-client.js';
import { credentialHitDetail } from '../../tokens/hits/credential.js';
import { credentialClientTokenIds, recognizeCredentialClient } from './credential-client.js';
import { candidateTokenIds } from './find-token-id.js';
import { TRANSPARENT_GIF } from './gif.js';
import { BodyTooLargeError, hasBody, readTriggerBody } from './read-body.js';
import { fixedAnswer, TriggerReply } from './reply.js';
import { findTokenKind } from '../../tokens/registry.js';
import type { TriggerAnswer } from '../../tokens/kind.js';

export interface HttpTriggerOptions {
  recorder: HitRecorder;
  addresses: ClientAddressResolver;
  metrics: ServerMetrics;
  log: Logger;
}

/** Unknown, disabled and live tokens all get these exact bytes (no Date header, same length). */
const GIF_ANSWER = fixedAnswer(
  200,
  { 'content-type': 'image/gif', 'cache-control': 'no-store, no-cache, must-revalidate, max-age=0', pragma: 'no-cache' },
  TRANSPARENT_GIF,
);

/** A kind's own answer (a page, an image), without a Date header like the GIF, so live and disabled match to the byte. */
function sendKindAnswer(reply: TriggerReply, answer: TriggerAnswer): TriggerReply {
  reply.withoutDate().code(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  return reply.send(answer.body);
}

function sendError(reply: TriggerReply, status: number, code: string, message: string): TriggerReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ error: code, message }));
}

/**
 * The trigger endpoint as a plain node request handler: any method on any path of the trigger
 * listener. A live token's hit is committed before the answer goes out, and every other answer
 * waits as long.
 */
export function createHttpTrigger(options: HttpTriggerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { recorder, addresses, metrics, log } = options;

  /** Told once the request is answered (no argument) or could not be (the error to answer with). */
  type Finish = (failure?: { error: unknown }) => void;

  // Written to avoid promises where it can: under a flood of hits on a known token every lookup is
  // cached, the only wait is the commit, and its end is a callback rather than a chain of promises.
  function handle(request: IncomingMessage, reply: TriggerReply, finish: Finish): void {
    const target = splitTarget(request.url ?? '/');
    if (hasBody(request)) {
      readTriggerBody(request)
        .then(
          (body) => answer(request, reply, target, body, undefined, finish),
          (error: unknown) => (error instanceof BodyTooLargeError ? answer(request, reply, target, error.captured, error, finish) : finish({ error })),
        )
        .catch((error: unknown) => finish({ error }));
      return;
    }
    answer(request, reply, target, undefined, undefined, finish);
  }

  /** With `tooLarge`, the hit is recorded as usual and the answer is the 413 instead. */
  function answer(
    request: IncomingMessage,
    reply: TriggerReply,
    target: { path: string; query: string },
    body: CapturedBody | undefined,
    tooLarge: BodyTooLargeError | undefined,
    finish: Finish,
  ): void {
    const { path, query } = target;
    // Credential clients (git, kubectl, AWS CLI, API callers) are answered by request shape.
    const client = recognizeCredentialClient({ path, query, headers: request.headers });
    const clientRequest = { path, query, headers: request.headers, body };
    const candidates = [...candidateTokenIds(path), ...credentialClientTokenIds(client)];
    // A disabled token answers as it did while live; neither it nor an unknown id records
    // anything, but both wait for the commit a hit would have waited for.
    const answerFor = (token: Token | undefined): TriggerReply => {
      if (client) return answerCredentialClient(reply, client, clientRequest);
      const own = token && findTokenKind(token.kind)?.answerHttp?.(token, { method: request.method ?? 'GET', path, query });
      if (own) return sendKindAnswer(reply, own);
      if (token?.redirect) return reply.withoutDate().code(302).header('cache-control', 'no-store').header('location', token.redirect).send();
      return reply.sendFixed(GIF_ANSWER);
    };
    // Once the commit is settled: an oversized body is refused the same way, after the same wait, whatever the id.
    const settled = (token: Token | undefined, failure?: { error: unknown }) => {
      if (failure) return finish(failure);
      if (tooLarge) return finish({ error: tooLarge });
      try {
        answerFor(token);
      } catch (error) {
        return finish({ error });
      }
      finish();
    };
    const respond = (token: Token | undefined): void => {
      if (!token?.enabled) {
        recorder.withoutHit().then(
          () => settled(token),
          (error: unknown) => settled(token, { error }),
        );
        return;
      }
      const method = request.method ?? 'GET';
      const detail: HttpHitDetail = { type: 'http', method, path, query, headers: captureHeaders(request.headers) };
      if (body) detail.body = body;
      if (client) Object.assign(detail, credentialHitDetail(token, client, method, path));
      recorder.submit(
        token,
        {
          source: addresses.resolve(request.socket.remoteAddress, request.headers),
          userAgent: captureUserAgent(request.headers),
          detail,
        },
        (error, hit) => settled(token, hit ? undefined : { error }),
      );
    };
    const found = recorder.find(candidates);
    if (found instanceof Promise) found.then(respond).catch((error: unknown) => finish({ error }));
    else respond(found);
  }

  return (request, response) => {
    const started = performance.now();
    const reply = new TriggerReply(response, request.method === 'HEAD');
    const observe = () => metrics.requestDuration.series('trigger', request.method ?? 'GET', reply.statusCode).observe((performance.now() - started) / 1000);
    let finished = false;
    const finish: Finish = (failure) => {
      // Whatever path ends the request, it is answered and observed once.
      if (finished) return;
      finished = true;
      if (!failure) return observe();
      const { error } = failure;
      if (error instanceof BodyTooLargeError) {
        sendError(reply, 413, 'body_too_large', error.message);
      } else {
        // The hit could not be stored (the recorder logged and counted why): a plain 503 that says
        // nothing of hits or tokens to whoever asked, never a crash.
        log.debug({ err: error, url: request.url }, 'trigger failed');
        if (!response.headersSent) sendError(reply, 503, 'unavailable', 'service unavailable; try again later');
      }
      observe();
    };
    try {
      handle(request, reply, finish);
    } catch (error) {
      finish({ error });
    }
  };
}
