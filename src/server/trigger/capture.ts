import type { IncomingHttpHeaders } from 'node:http';
import type { CapturedBody } from '../../core/model/hit-detail.js';

/** Limits on what a hit keeps of a request: enough for evidence, never unbounded. */
export const CAPTURE_LIMITS = {
  headerCount: 100,
  headerValue: 2048,
  path: 4096,
  query: 4096,
  userAgent: 1024,
  bodyHead: 4096,
  /** A trigger body larger than this is refused (413) after the hit is recorded. */
  bodyMax: 10 * 1024 * 1024,
} as const;

function cap(text: string, limit: number): string {
  return text.length > limit ? text.slice(0, limit) : text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** A constant, not a literal in the function: a literal makes a RegExp object per header per hit. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Keeps the first bytes of a body as text when they are valid UTF-8, else as base64. */
export function captureBody(head: Buffer, size: number): CapturedBody {
  const kept = head.subarray(0, CAPTURE_LIMITS.bodyHead);
  let text: string | undefined;
  try {
    text = utf8.decode(kept);
  } catch {
    text = undefined;
  }
  return {
    size,
    truncated: size > kept.length,
    encoding: text === undefined ? 'base64' : 'utf8',
    head: text ?? kept.toString('base64'),
  };
}

/**
 * Node hands header values over as Latin-1, one character per byte, so UTF-8 arrives as mojibake
 * ("cafÃ©"). Values whose bytes are valid UTF-8 are read as UTF-8; any other bytes stay as they came.
 */
export function decodeHeaderValue(value: string): string {
  if (ASCII_ONLY.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

export function captureHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  // Keys rather than entries: no pair array made per header, on every hit.
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (++count > CAPTURE_LIMITS.headerCount) break;
    out[name] = cap(decodeHeaderValue(Array.isArray(value) ? value.join(', ') : value), CAPTURE_LIMITS.headerValue);
  }
  return out;
}

/** Splits the raw request target into path and query without decoding either: evidence as sent. */
export function splitTarget(rawUrl: string): { path: string; query: string } {
  const mark = rawUrl.indexOf('?');
  const path = mark === -1 ? rawUrl : rawUrl.slice(0, mark);
  const query = mark === -1 ? '' : rawUrl.slice(mark + 1);
  return { path: cap(path, CAPTURE_LIMITS.path), query: cap(query, CAPTURE_LIMITS.query) };
}

export function captureUserAgent(headers: IncomingHttpHeaders): string | null {
  const ua = headers['user-agent'];
  return ua === undefined ? null : cap(decodeHeaderValue(ua), CAPTURE_LIMITS.userAgent);
}
