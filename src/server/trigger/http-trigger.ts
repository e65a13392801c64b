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
import { credentialClientTokenIds, recognizeCredentialClient, type CredentialClient } from './credential-client.js';
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
  return (request, response) => new TriggerExchange(options, request, response).start();
}

/**
 * One trigger request from arrival to answer. Its steps are methods on one object rather than a
 * closure each: under a flood of hits on a known token every lookup is cached, the only wait is
 * the commit, and its end is a callback rather than a chain of promises.
 */
class TriggerExchange {
  private readonly started = performance.now();
  private readonly reply: TriggerReply;
  private finished = false;
  private path = '';
  private query = '';
  private body: CapturedBody | undefined;
  /** With it, the hit is recorded as usual and the answer is the 413 instead. */
  private tooLarge: BodyTooLargeError | undefined;
  private client: CredentialClient | undefined;
  private token: Token | undefined;

  constructor(
    private readonly options: HttpTriggerOptions,
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse,
  ) {
    this.reply = new TriggerReply(response, request.method === 'HEAD');
  }

  start(): void {
    try {
      const target = splitTarget(this.request.url ?? '/');
      this.path = target.path;
      this.query = target.query;
      if (!hasBody(this.request)) {
        this.answer();
        return;
      }
      readTriggerBody(this.request)
        .then(
          (body) => {
            this.body = body;
            this.answer();
          },
          (error: unknown) => {
            if (!(error instanceof BodyTooLargeError)) {
              this.finish({ error });
              return;
            }
            this.body = error.captured;
            this.tooLarge = error;
            this.answer();
          },
        )
        .catch((error: unknown) => this.finish({ error }));
    } catch (error) {
      this.finish({ error });
    }
  }

  private answer(): void {
    const { path, query, request } = this;
    // Credential clients (git, kubectl, AWS CLI, API callers) are answered by request shape.
    const client = recognizeCredentialClient({ path, query, headers: request.headers });
    this.client = client;
    const candidates = client ? [...candidateTokenIds(path), ...credentialClientTokenIds(client)] : candidateTokenIds(path);
    const found = this.options.recorder.find(candidates);
    if (found instanceof Promise) found.then((token) => this.respond(token)).catch((error: unknown) => this.finish({ error }));
    else this.respond(found);
  }

  // A disabled token answers as it did while live; neither it nor an unknown id records anything,
  // but both wait for the commit a hit would have waited for.
  private respond(token: Token | undefined): void {
    this.token = token;
    const { recorder, addresses } = this.options;
    if (!token?.enabled) {
      recorder.withoutHit().then(
        () => this.settled(),
        (error: unknown) => this.settled({ error }),
      );
      return;
    }
    const { request, path, query, client } = this;
    const method = request.method ?? 'GET';
    const detail: HttpHitDetail = { type: 'http', method, path, query, headers: captureHeaders(request.headers) };
    if (this.body) detail.body = this.body;
    if (client) Object.assign(detail, credentialHitDetail(token, client, method, path));
    recorder.submit(
      token,
      { source: addresses.resolve(request.socket.remoteAddress, request.headers), userAgent: captureUserAgent(request.headers), detail },
      (error, hit) => this.settled(hit ? undefined : { error }),
    );
  }

  /** Once the commit is settled: an oversized body is refused the same way, after the same wait, whatever the id. */
  private settled(failure?: { error: unknown }): void {
    if (failure) this.finish(failure);
    else if (this.tooLarge) this.finish({ error: this.tooLarge });
    else {
      try {
        this.answerFor(this.token);
      } catch (error) {
        this.finish({ error });
        return;
      }
      this.finish();
    }
  }

  private answerFor(token: Token | undefined): TriggerReply {
    const { reply, client, request, path, query } = this;
    if (client) return answerCredentialClient(reply, client, { path, query, headers: request.headers, body: this.body });
    const own = token && findTokenKind(token.kind)?.answerHttp?.(token, { method: request.method ?? 'GET', path, query });
    if (own) return sendKindAnswer(reply, own);
    if (token?.redirect) return reply.withoutDate().code(302).header('cache-control', 'no-store').header('location', token.redirect).send();
    return reply.sendFixed(GIF_ANSWER);
  }

  /** Whatever path ends the request, it is answered and observed once: no argument when answered, else the error to answer with. */
  private finish(failure?: { error: unknown }): void {
    if (this.finished) return;
    this.finished = true;
    if (failure) {
      const { error } = failure;
      if (error instanceof BodyTooLargeError) {
        sendError(this.reply, 413, 'body_too_large', error.message);
      } else {
        // The hit could not be stored (the recorder logged and counted why): a plain 503 that says
        // nothing of hits or tokens to whoever asked, never a crash.
        this.options.log.debug({ err: error, url: this.request.url }, 'trigger failed');
        if (!this.response.headersSent) sendError(this.reply, 503, 'unavailable', 'service unavailable; try again later');
      }
    }
    const seconds = (performance.now() - this.started) / 1000;
    this.options.metrics.requestDuration.series('trigger', this.request.method ?? 'GET', this.reply.statusCode).observe(seconds);
  }
}
