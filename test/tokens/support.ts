import { newTokenId } from '../../src/core/ids.js';
import type { Token } from '../../src/store/repositories/tokens.js';
import type { Artifact, ArtifactContext, TokenKind } from '../../src/tokens/kind.js';

/** Creates a token of a kind the way TokenService does (prepare, then store), without a store. */
export function makeToken(kind: TokenKind, context: ArtifactContext, options?: Record<string, unknown>): { token: Token; artifact: Artifact } {
  const id = newTokenId();
  const config = kind.prepare(id, { memo: 'test', ...(options ? { options } : {}) }, context);
  // Stored config goes through JSON, so the artifact is built from what a store gives back.
  const token: Token = {
    id,
    kind: kind.kind,
    memo: 'test',
    enabled: true,
    redirect: null,
    config: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
    alertWindowSeconds: null,
    hitCount: 0,
    hitsKept: 0,
    lastHitAt: null,
    createdAt: new Date().toISOString(),
  };
  return { token, artifact: kind.artifact(token, context) };
}
