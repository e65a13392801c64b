import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { parseRetryAfter } from './retry-after.js';
import type { SendResult } from './channels/kind.js';
import { oneLine } from './escape.js';
import { guardedLookup, literalRefusal, urlHost, type Resolve } from './target-guard.js';

const ERROR_BODY_BYTES = 300;
export const USER_AGENT = 'Tripline-Alerts/1';

export interface PostOptions {
  timeoutMs: number;
  /** Lets channels reach loopback, private, link-local and metadata addresses (--allow-private-targets). */
  allowPrivateTargets: boolean;
  /** Replaces the system resolver (tests); such requests get their own agent, so no socket is shared. */
  resolve?: Resolve;
}

/**
 * One keep-alive agent per protocol and policy: a socket opened while private targets were allowed
 * must never be reused by a process that refuses them.
 */
const agents = new Map<string, HttpAgent>();

function agentFor(https: boolean, options: PostOptions): HttpAgent {
  const make = (keepAlive: boolean) => {
    const settings = { keepAlive, lookup: guardedLookup(options.allowPrivateTargets, options.resolve) };
    return https ? new HttpsAgent(settings) : new HttpAgent(settings);
  };
  if (options.resolve) return make(false);
  const key = `${https}:${options.allowPrivateTargets}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = make(true);
    agents.set(key, agent);
  }
  return agent;
}

/**
 * A URL's user and password moved into a Basic Authorization header: receivers behind basic auth
 * work, and the credentials travel in a header rather than in the request line.
 */
export function splitCredentials(url: string): { target: URL; authorization?: string } {
  const target = new URL(url);
  if (!target.username && !target.password) return { target };
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  target.username = '';
  target.password = '';
  return { target, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Text with a URL's password replaced by *** wherever it appears, raw or percent-encoded. */
export function redactCredentials(text: string, url: string): string {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (!password) return text;
  let redacted = text;
  for (const form of new Set([password, decodeURIComponent(password)])) redacted = redacted.split(form).join('***');
  return redacted;
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ABORT_ERR') return `no answer within ${timeoutMs} ms`;
  if (e.code === 'EPRIVATETARGET') return `refused: ${e.message}`;
  return e.code ? `connection failed: ${e.code}` : `request failed: ${e.message ?? String(error)}`;
}

/** The first bytes of a response body, for the log; the rest is discarded unread. */
function bodyHead(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) {
        response.destroy();
        done();
      }
    });
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

function post(
  target: URL,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
  maxBytes: number,
): Promise<{ response: IncomingMessage; head: string }> {
  const https = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: agentFor(https, options),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    request.on('error', reject);
    request.on('response', (response) => {
      bodyHead(response, maxBytes).then((head) => resolve({ response, head }), reject);
    });
    request.end(body);
  });
}

/** What a receiver answered: its status, headers and the first bytes of its body. */
export interface PostAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

/**
 * POSTs a body and returns the answer, reading at most `maxBytes` of it, or the failure as a
 * delivery outcome (no connection, refused target, timeout). Redirects are not followed.
 */
export async function postForAnswer(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
  maxBytes = ERROR_BODY_BYTES,
): Promise<PostAnswer | SendResult> {
  try {
    const { target, authorization } = splitCredentials(url);
    const refused = options.allowPrivateTargets ? undefined : literalRefusal(urlHost(target));
    if (refused) return { ok: false, status: null, error: `refused: ${refused.message}` };
    const all = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': USER_AGENT,
      ...(authorization ? { authorization } : {}),
      ...headers,
    };
    const { response, head } = await post(target, body, all, options, maxBytes);
    return { status: response.statusCode ?? 0, headers: response.headers, text: head };
  } catch (error) {
    return { ok: false, status: null, error: redactCredentials(oneLine(describeFailure(error, options.timeoutMs), 300), url) };
  }
}

/**
 * POSTs a body and reads the answer as a delivery outcome. Any 2xx is success; redirects are not
 * followed (a webhook that moved is a configuration error to see, not to guess around); 429 and
 * 503 pass their Retry-After on. The outcome's error carries the status only: the receiver's own
 * words go to `detail`, for the server log, so a channel cannot be used to read what a URL answers.
 */
export async function postBody(url: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<SendResult> {
  const answer = await postForAnswer(url, body, headers, options);
  if ('ok' in answer) return answer;
  const { status, text } = answer;
  if (status >= 200 && status < 300) return { ok: true, status };
  const result: SendResult = { ok: false, status, error: `HTTP ${status}` };
  if (text) result.detail = redactCredentials(oneLine(text, 300), url);
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(answer.headers['retry-after'] ?? null);
    if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  }
  return result;
}
