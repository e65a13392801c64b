import { oneLine } from '../escape.js';
import type { PostAnswer } from '../http-post.js';
import { parseRetryAfter } from '../retry-after.js';
import type { SendResult } from './kind.js';

const MAX_REASON = 200;

/**
 * How a service with a documented API reports the outcome of a request, beyond its status: the
 * field its error bodies put the reason in, and any failure it reports inside a 2xx answer.
 */
export interface ServiceApi {
  /** The reason an error body gives, read from the field the service documents; nothing else of the body. */
  reason(text: string): string | undefined;
  /** A 2xx answer the service documents as a failure (Elasticsearch bulk item errors, OTLP partial success). */
  rejected?(text: string): { reason: string; retry: boolean } | undefined;
  /** A wait the service asks for in its body rather than in Retry-After (Telegram). */
  retryAfterMs?(text: string): number | undefined;
}

/** The JSON of a body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A value at a path of plain object keys and array indexes, or undefined. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The first of the given paths that holds a string (or strings), joined. */
export function textAt(value: unknown, ...paths: (string | number)[][]): string | undefined {
  for (const path of paths) {
    const found = at(value, ...path);
    if (typeof found === 'string' && found !== '') return found;
    if (Array.isArray(found) && found.length > 0 && found.every((f) => typeof f === 'string')) return found.join('; ');
  }
  return undefined;
}

// Timeouts, throttling and server trouble pass; any other refusal is about the request itself.
function retryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * A service's answer as a delivery outcome. 2xx is delivered unless the service says otherwise in
 * the body; 408, 425, 429 and 5xx are retried (honouring Retry-After, or the service's own wait);
 * any other status is permanent and the delivery goes dead at once. The error carries the status
 * and the service's documented reason field, bounded to one line: only that field is read, so an
 * unrelated URL's answer does not come back through the API.
 */
export function serviceOutcome(answer: PostAnswer, api: ServiceApi, redact: (text: string) => string): SendResult {
  const { status, text } = answer;
  const clean = (reason: string) => redact(oneLine(reason, MAX_REASON));
  if (status >= 200 && status < 300) {
    const rejected = api.rejected?.(text);
    if (!rejected) return { ok: true, status };
    return { ok: false, status, error: `rejected: ${clean(rejected.reason)}`, ...(rejected.retry ? {} : { permanent: true }) };
  }
  const reason = api.reason(text);
  const result: SendResult = { ok: false, status, error: reason ? `HTTP ${status}: ${clean(reason)}` : `HTTP ${status}` };
  if (!retryable(status)) return { ...result, permanent: true };
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after'] ?? null) ?? api.retryAfterMs?.(text);
  return retryAfterMs === undefined ? result : { ...result, retryAfterMs };
}
