import { isTokenIdShape, TOKEN_ID_LENGTH } from './ids.js';

/**
 * Path pieces looked up per request. A trigger URL carries its token's id once, dressed up with a
 * few other segments that may happen to look like ids (a hash, a version); four leaves room for
 * those without letting a path of many id-shaped segments cost a store lookup each (151 of them
 * cut throughput 30-fold). The few a credential client presents are capped on their own.
 */
export const MAX_PATH_CANDIDATES = 4;

/** What may stand between an id and the rest of its path segment (an extension, a suffix). */
const ID_SEPARATORS = /[.;,~!$&'()*+=:@%-]/;

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
      const segment = rawPath.slice(start, end);
      const lower = MAY_LOWER.test(segment) ? segment.toLowerCase() : segment;
      // The common case, a segment that is the id alone, is taken whole, without the split by separators.
      if (lower.length === TOKEN_ID_LENGTH) {
        if (addCandidate(candidates, lower)) return candidates;
      } else {
        for (const piece of lower.split(ID_SEPARATORS)) if (addCandidate(candidates, piece)) return candidates;
      }
    }
    start = end + 1;
  }
  return candidates;
}

/** Characters toLowerCase() could change: without any, the segment is its own lower case (and no new string is made). */
const MAY_LOWER = /[A-Z\u0080-\uffff]/;

/** Adds the piece if it is id-shaped and new; true once the list is full. */
function addCandidate(candidates: string[], piece: string): boolean {
  if (isTokenIdShape(piece) && !candidates.includes(piece)) candidates.push(piece);
  return candidates.length === MAX_PATH_CANDIDATES;
}
