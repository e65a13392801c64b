import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';

/** Largest API request body: a token or channel definition is a few KiB. */
export const API_BODY_LIMIT = 1024 * 1024;
/** Deepest nesting of arrays and objects a body may have; no API body needs more than a handful. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * True when JSON text nests arrays and objects deeper than `limit`. One pass over the bytes with
 * a counter, stopping at the first level too deep, so a body of nothing but brackets costs a
 * scan, not a parse that builds (or recurses through) thousands of levels. Brackets inside
 * strings do not count; malformed text is left for JSON.parse to refuse.
 */
export function nestsDeeperThan(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies for the API: invalid UTF-8 is refused rather than silently turned into U+FFFD, nesting
 * is bounded before parsing, and every failure says what was wrong. `bodyLimit` is the group's cap;
 * a route may set a smaller or larger one of its own.
 */
export function registerStrictJson(app: FastifyInstance, bodyLimit = API_BODY_LIMIT): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (_request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        done(new ValidationError(`request body nests deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH }));
        return;
      }
      let text: string;
      try {
        text = strictUtf8.decode(body);
      } catch {
        done(new ValidationError('request body is not valid UTF-8'));
        return;
      }
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        done(new ValidationError(`request body is not valid JSON: ${(error as Error).message}`));
      }
    },
  );
}
