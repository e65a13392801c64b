import { isTokenIdShape, TOKEN_ID_LENGTH } from './ids.js';

/**
 * Path pieces looked up per request. A trigger URL carries its token's id once, dressed up with a
 * few other segments that may happen to look like ids (a hash, a version); four leaves room for
 * those without letting a path of many id-shaped segments cost a store lookup each (151 of them
 * cut throughput 30-fold). The few a credential client presents are capped on their own.
 */
export const MAX_PATH_CANDIDATES = 4;

/**
 * The pieces of a request path that could be a token id, in order, at most MAX_PATH_CANDIDATES:
 * the ids the trigger looks up, and so the ids an agent's GetUrl URL can name. Users dress
 * trigger URLs up (/assets/<id>/logo.png, /api/v2/<id>?q=1, /<id>.gif), so any segment may hold
 * the id, alone or before an extension. Ids are case-insensitive (base32), so they are lower-cased.
 */
export function candidateTokenIds(rawPath: string): string[] {
  const candidates: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment.length < TOKEN_ID_LENGTH) continue;
    const lower = segment.toLowerCase();
    // The common case, a segment that is the id alone, skips the split (a third of this function's time).
    const pieces = lower.length === TOKEN_ID_LENGTH ? [lower] : lower.split(/[.;,~!$&'()*+=:@%-]/);
    for (const piece of pieces) {
      if (isTokenIdShape(piece) && !candidates.includes(piece)) candidates.push(piece);
      if (candidates.length === MAX_PATH_CANDIDATES) return candidates;
    }
  }
  return candidates;
}
