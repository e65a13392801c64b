import { parseRetryAfter } from './backoff.js';
import type { SendResult } from './channels/kind.js';
import { oneLine } from './escape.js';

const ERROR_BODY_BYTES = 300;
export const USER_AGENT = 'Tripline-Alerts/1';

/** The first bytes of a response body, for the error message; the rest is discarded unread. */
async function bodyHead(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8');
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `connection failed: ${cause.code}` : `request failed: ${cause?.message ?? (error as Error).message}`;
}

/**
 * POSTs a body and reads the answer as a delivery outcome. Any 2xx is success; redirects are not
 * followed (a webhook that moved is a configuration error to see, not to guess around); 429 and
 * 503 pass their Retry-After on.
 */
export async function postBody(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': USER_AGENT, ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { ok: false, status: null, error: describeFailure(error, timeoutMs) };
  }
  let head = '';
  try {
    head = await bodyHead(response);
  } catch {
    // The status is what counts; a body cut short changes nothing.
  }
  if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
  const result: SendResult = { ok: false, status: response.status, error: oneLine(`HTTP ${response.status}${head ? `: ${head}` : ''}`, 300) };
  if (response.status === 429 || response.status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  }
  return result;
}
