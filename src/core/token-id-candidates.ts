import { isTokenIdShape, TOKEN_ID_LENGTH } from './ids.js';

/**
 * Every piece of a request path that could be a token id, in order. Users dress trigger URLs up
 * (/assets/<id>/logo.png, /api/v2/<id>?q=1, /<id>.gif), so any segment may hold the id, alone
 * or before an extension. Ids are case-insensitive (base32), so they are lower-cased here.
 */
export function candidateTokenIds(rawPath: string): string[] {
  const candidates: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment.length < TOKEN_ID_LENGTH) continue;
    for (const piece of segment.toLowerCase().split(/[.;,~!$&'()*+=:@%-]/)) {
      if (isTokenIdShape(piece) && !candidates.includes(piece)) candidates.push(piece);
    }
  }
  return candidates;
}
