import type { Logger } from 'pino';
import type { Token } from '../../core/model/token.js';
import type { TokenKeyRepository } from '../../store/repositories/token-keys.js';
import type { HitEvidence, HitRecorder } from '../hit-recorder.js';

interface Entry {
  tokenId: string | undefined;
  expires: number;
}

/**
 * Tokens as the credential listeners find them: by id (a user name or address that carries it),
 * or by a key the client presented (token_keys). Key lookups are cached briefly, absent keys
 * exactly like present ones, so a flood of one key (a peer retrying its handshake) costs no store reads.
 */
export class ListenerTokens {
  private readonly byKey = new Map<string, Entry>();

  constructor(
    private readonly keys: TokenKeyRepository,
    readonly recorder: HitRecorder,
    private readonly log: Logger,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

  async findByKey(key: string): Promise<Token | undefined> {
    const now = Date.now();
    let entry = this.byKey.get(key);
    if (!entry || entry.expires <= now) {
      entry = { tokenId: await this.keys.tokenIdFor(key), expires: now + this.ttlMs };
      if (this.byKey.size >= this.maxEntries) this.byKey.delete(this.byKey.keys().next().value!);
      this.byKey.set(key, entry);
    }
    return entry.tokenId === undefined ? undefined : this.recorder.find([entry.tokenId]);
  }

  async findById(id: string | undefined): Promise<Token | undefined> {
    return id === undefined ? undefined : this.recorder.find([id]);
  }

  /**
   * Records the hit when the token is live; otherwise waits for the commit a hit would have
   * joined, so the client's answer leaves at the same time either way. Never throws: a listener
   * answers as usual while the store is down (the recorder has logged and counted the failure).
   */
  async recordOrWait(token: Token | undefined, evidence: () => HitEvidence): Promise<void> {
    try {
      if (token?.enabled) await this.recorder.record(token, evidence());
      else await this.recorder.withoutHit();
    } catch (error) {
      this.log.debug({ err: error, tokenId: token?.id }, 'listener hit not recorded');
    }
  }
}
