import type { Token } from '../store/repositories/tokens.js';

/**
 * One credential a decoy hands out, as stored in the token's config under `credentials`. Kinds
 * record every secret they write into an artifact here, so a hit can say which one was used.
 */
export interface DecoyCredential {
  /** What the artifact calls it: a variable name, "git password", "aws access key". */
  name: string;
  user?: string;
  /** The secret as written into the artifact (never sent by SigV4 clients). */
  secret?: string;
  /** For AWS keys: the public half, which SigV4 clients do send. */
  accessKeyId?: string;
}

/** What a client presented, as far as the server could read it. */
export interface PresentedSecret {
  user?: string;
  secret?: string;
  accessKeyId?: string;
}

function isDecoyCredential(value: unknown): value is DecoyCredential {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

export function decoyCredentialsOf(token: Token): DecoyCredential[] {
  const list = token.config.credentials;
  return Array.isArray(list) ? list.filter(isDecoyCredential) : [];
}

/**
 * The name of the token's decoy credential the client presented, or null when it presented
 * something else (a guessed password, another key): that is evidence too, and is kept as such.
 */
export function matchDecoyCredential(token: Token, presented: PresentedSecret): string | null {
  for (const credential of decoyCredentialsOf(token)) {
    if (presented.accessKeyId !== undefined && credential.accessKeyId === presented.accessKeyId) return credential.name;
    if (presented.secret !== undefined && credential.secret === presented.secret) {
      if (credential.user === undefined || presented.user === undefined || credential.user === presented.user) return credential.name;
    }
  }
  return null;
}
