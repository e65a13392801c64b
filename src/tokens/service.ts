import { ValidationError } from '../core/errors.js';
import { newTokenId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { inTransaction, type Db } from '../store/db.js';
import type { Page } from '../store/paging.js';
import { ChannelRepository } from '../store/repositories/channels.js';
import { TokenRepository, type Token, type TokenChanges, type TokenFilter } from '../store/repositories/tokens.js';
import { DEFAULT_TOKEN_SEVERITY, MAX_TAG_LENGTH, MAX_TAGS, TAG_PATTERN, type TokenSeverity } from '../core/model/token.js';
import { TokenKeyRepository } from '../store/repositories/token-keys.js';
import type { Artifact, ArtifactContext, TokenOptions } from './kind.js';
import { LiveTokenCache } from './live-token-cache.js';
import { tokenKind } from './registry.js';

export const MAX_MEMO_LENGTH = 1000;

/** A token as the API and CLI show it: the stored token (src/core/model/token.ts) without its
 * kind's private config, with what it is handed out as. */
export interface TokenView extends Omit<Token, 'config' | 'severity' | 'tags'> {
  severity: TokenSeverity;
  tags: string[];
  url: string | null;
  hostname: string | null;
  artifact: Artifact;
  /** Alert channels the token named at creation (shown on create and get; empty = the defaults). */
  channels?: string[];
}

export interface CreateTokenInput extends TokenOptions {
  kind: string;
  alertWindowSeconds?: number | null;
  severity?: TokenSeverity;
  tags?: string[];
  /** Alert channel ids; none means the default channels. */
  channels?: string[];
}

function checkRedirect(redirect: string): void {
  let url: URL;
  try {
    url = new URL(redirect);
  } catch {
    throw new ValidationError('redirect must be an absolute http:// or https:// URL', { field: 'redirect' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`redirect must use http or https, not ${url.protocol.replace(':', '')}`, { field: 'redirect' });
  }
}

function checkMemo(memo: string): void {
  if (memo.trim().length === 0) throw new ValidationError('memo must say what the token is for', { field: 'memo' });
  if (memo.length > MAX_MEMO_LENGTH) {
    throw new ValidationError(`memo is ${memo.length} characters; the limit is ${MAX_MEMO_LENGTH}`, { field: 'memo' });
  }
}

/** The tags as given, without repeats; a clear error for a tag that cannot be one. */
export function checkTags(tags: string[]): string[] {
  const unique = [...new Set(tags)];
  if (unique.length > MAX_TAGS) throw new ValidationError(`a token has at most ${MAX_TAGS} tags, not ${unique.length}`, { field: 'tags' });
  for (const tag of unique) {
    if (tag.length > MAX_TAG_LENGTH || !TAG_PATTERN.test(tag)) {
      throw new ValidationError(
        `tag "${tag.slice(0, MAX_TAG_LENGTH)}" must be 1 to ${MAX_TAG_LENGTH} letters, digits or . _ : / - and start with a letter or digit`,
        {
          field: 'tags',
        },
      );
    }
  }
  return unique;
}

/** Creating, presenting and changing tokens: the rules, over the token repository. */
export class TokenService {
  readonly repository: TokenRepository;
  /** What trigger paths read; forgotten here whenever a token changes. */
  readonly live: LiveTokenCache;
  private readonly channels: ChannelRepository;

  constructor(
    private readonly db: Db,
    private readonly context: ArtifactContext,
    reader: Db = db,
  ) {
    this.repository = new TokenRepository(db, reader);
    this.live = new LiveTokenCache(this.repository);
    this.channels = new ChannelRepository(db);
  }

  async create(input: CreateTokenInput): Promise<TokenView> {
    const kind = tokenKind(input.kind);
    checkMemo(input.memo);
    if (input.redirect !== undefined) checkRedirect(input.redirect);
    const tags = checkTags(input.tags ?? []);
    const channelIds = [...new Set(input.channels ?? [])];
    const unknown = await this.channels.missing(channelIds);
    if (unknown.length > 0) {
      throw new ValidationError(`no such alert channel: ${unknown.join(', ')} (see GET /api/v1/channels)`, { field: 'channels' });
    }
    const id = newTokenId();
    const config = kind.prepare(id, input, this.context);
    // The token and its channels commit together: a token never exists without its routing.
    const token = await inTransaction(this.db, async (trx) => {
      const created = await new TokenRepository(trx).create({
        id,
        kind: kind.kind,
        memo: input.memo,
        redirect: input.redirect ?? null,
        config,
        alertWindowSeconds: input.alertWindowSeconds ?? null,
        severity: input.severity,
        tags,
        createdAt: isoNow(),
      });
      await new ChannelRepository(trx).linkToken(id, channelIds);
      await new TokenKeyRepository(trx).add(id, kind.lookupKeys?.(config) ?? []);
      return created;
    });
    return { ...this.present(token), channels: channelIds.sort() };
  }

  async get(id: string): Promise<TokenView> {
    const token = await this.repository.get(id);
    return { ...this.present(token), channels: await this.channels.idsForToken(id) };
  }

  async list(filter: TokenFilter): Promise<Page<TokenView>> {
    const page = await this.repository.list(filter);
    return { items: page.items.map((t) => this.present(t)), nextCursor: page.nextCursor };
  }

  async update(id: string, changes: TokenChanges): Promise<TokenView> {
    if (changes.memo !== undefined) checkMemo(changes.memo);
    const tags = changes.tags === undefined ? undefined : checkTags(changes.tags);
    const updated = await this.repository.update(id, { ...changes, tags });
    this.live.forget(id);
    return this.present(updated);
  }

  async delete(id: string): Promise<void> {
    await this.repository.delete(id);
    this.live.forget(id);
  }

  present(token: Token): TokenView {
    const artifact = tokenKind(token.kind).artifact(token, this.context);
    return {
      id: token.id,
      kind: token.kind,
      memo: token.memo,
      url: artifact.url ?? null,
      hostname: artifact.hostname ?? null,
      enabled: token.enabled,
      redirect: token.redirect,
      alertWindowSeconds: token.alertWindowSeconds,
      severity: token.severity ?? DEFAULT_TOKEN_SEVERITY,
      tags: token.tags ?? [],
      hitCount: token.hitCount,
      hitsKept: token.hitsKept,
      lastHitAt: token.lastHitAt,
      createdAt: token.createdAt,
      artifact,
    };
  }
}
