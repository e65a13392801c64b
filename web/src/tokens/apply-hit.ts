import type { Hit, Token } from '../api/types';

/** The token as it stands after one more committed hit. */
export function withHit(token: Token, hit: Hit): Token {
  if (token.id !== hit.tokenId) return token;
  const lastHitAt = token.lastHitAt && token.lastHitAt > hit.at ? token.lastHitAt : hit.at;
  return { ...token, hitCount: token.hitCount + 1, lastHitAt };
}
