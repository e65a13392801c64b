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
  // Segments found with indexOf rather than split('/'): most are shorter than an id and are
  // passed over without being cut out (splitting took a quarter of this function's time).
  for (let start = 0; start <= rawPath.length; ) {
    const slash = rawPath.indexOf('/', start);
    const end = slash === -1 ? rawPath.length : slash;
    if (end - start >= TOKEN_ID_LENGTH) {
      const lower = rawPath.slice(start, end).toLowerCase();
      // The common case, a segment that is the id alone, skips the split by separators.
      const pieces = lower.length === TOKEN_ID_LENGTH ? [lower] : lower.split(/[.;,~!$&'()*+=:@%-]/);
      for (const piece of pieces) {
        if (isTokenIdShape(piece) && !candidates.includes(piece)) candidates.push(piece);
        if (candidates.length === MAX_PATH_CANDIDATES) return candidates;
      }
    }
    start = end + 1;
  }
  return candidates;
}
