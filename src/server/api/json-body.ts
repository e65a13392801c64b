import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../core/errors.js';

export const API_BODY_LIMIT = 256 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies for the API: invalid UTF-8 is refused rather than silently turned into U+FFFD, and
 * every failure says what was wrong.
 */
export function registerStrictJson(app: FastifyInstance, bodyLimit = API_BODY_LIMIT): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (_request: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => {
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
