import type { Token, TokenRepository } from '../store/repositories/tokens.js';

interface Entry {
  token: Token | undefined;
  expires: number;
}

/**
 * Trigger paths look a token up on every request; a flood of hits on one token (or of junk ids)
 * must not turn into a flood of reads. Entries live briefly, so a change made through another
 * server sharing the store shows within the TTL; changes made here are forgotten at once. An id
 * that names no token is kept exactly as one that does, so a lookup costs the same either way.
 */
export class LiveTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly repository: TokenRepository,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The token (or its absence) straight from memory when fresh, else a promise of the store's answer. */
  find(id: string): Token | undefined | Promise<Token | undefined> {
    const now = Date.now();
    const cached = this.entries.get(id);
    if (cached && cached.expires > now) return cached.token;
    return this.repository.find(id).then((token) => {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, { token, expires: now + this.ttlMs });
      return token;
    });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
