import type { Logger } from 'pino';
import { parseAddressRange } from '../../core/address-range.js';
import { ValidationError } from '../../core/errors.js';
import { newRowId } from '../../core/ids.js';
import type { NoiseRule, NoiseRuleKind } from '../../core/model/noise.js';
import { isoNow } from '../../core/time.js';
import type { Db } from '../../store/db.js';
import { NoiseRuleRepository } from '../../store/repositories/noise-rules.js';
import { TokenRepository } from '../../store/repositories/tokens.js';
import { NoiseMatcher, parseAsn } from './matcher.js';

export const MAX_PATTERN_LENGTH = 200;
export const MAX_NOTE_LENGTH = 500;
/** Stars in a user-agent pattern: each is a ".*", and many of them make matching slow. */
export const MAX_STARS = 4;

export interface NewNoiseRule {
  kind: NoiseRuleKind;
  pattern?: string;
  note?: string;
  /** Absent: the rule applies to every token. */
  tokenId?: string;
}

/** How long a server goes on with the rules it has read before reading them again: another
 * server sharing the store may have changed them. Changes made through this server apply at once. */
const REFRESH_MS = 5_000;

/** The pattern in the form the matcher reads, or a clear error for one it cannot. */
function checkPattern(kind: NoiseRuleKind, raw: string | undefined): string {
  const pattern = (raw ?? '').trim();
  if (kind === 'known-scanners') {
    if (pattern !== '') throw new ValidationError('a known-scanners rule takes no pattern: it uses the shipped list', { field: 'pattern' });
    return '';
  }
  if (pattern === '') throw new ValidationError(`a ${kind} rule needs a pattern`, { field: 'pattern' });
  if (pattern.length > MAX_PATTERN_LENGTH) throw new ValidationError(`pattern is longer than ${MAX_PATTERN_LENGTH} characters`, { field: 'pattern' });
  switch (kind) {
    case 'cidr':
    case 'resolver':
      if (!parseAddressRange(pattern)) throw new ValidationError(`"${pattern}" is not an IP address or CIDR range`, { field: 'pattern' });
      return pattern;
    case 'asn': {
      const asn = parseAsn(pattern);
      if (asn === undefined) throw new ValidationError(`"${pattern}" is not an AS number (AS64500 or 64500)`, { field: 'pattern' });
      return `AS${asn}`;
    }
    case 'user-agent':
      if (pattern.split('*').length - 1 > MAX_STARS) throw new ValidationError(`a user-agent pattern may hold at most ${MAX_STARS} *`, { field: 'pattern' });
      if (pattern.replaceAll('*', '') === '') throw new ValidationError('a user-agent pattern must hold some text besides *', { field: 'pattern' });
      return pattern;
  }
}

/**
 * Noise rules: checked on the way in, kept in the store, and compiled into the matcher the hit
 * recorder asks for every hit. The matcher is read from memory (a hit never waits for the store
 * to answer which rules apply) and refreshed in the background.
 */
export class NoiseService {
  readonly repository: NoiseRuleRepository;
  private readonly tokens: TokenRepository;
  private matcher = new NoiseMatcher([]);
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    db: Db,
    private readonly log: Logger,
    private readonly refreshMs = REFRESH_MS,
  ) {
    this.repository = new NoiseRuleRepository(db);
    this.tokens = new TokenRepository(db);
  }

  /** Reads the rules from the store; the server awaits it once before taking hits. */
  async load(): Promise<void> {
    const started = Date.now();
    this.matcher = new NoiseMatcher(await this.repository.list());
    this.loadedAt = started;
  }

  /** The rules in force now, from memory; starts a reload when they are older than the refresh time. */
  current(): NoiseMatcher {
    if (Date.now() - this.loadedAt > this.refreshMs && !this.loading) {
      this.loading = this.load()
        .catch((error: unknown) => this.log.warn({ err: error }, 'could not reread the noise rules; the ones read before stay in force'))
        .finally(() => {
          this.loading = undefined;
        });
    }
    return this.matcher;
  }

  async create(input: NewNoiseRule): Promise<NoiseRule> {
    const pattern = checkPattern(input.kind, input.pattern);
    const note = (input.note ?? '').trim();
    if (note.length > MAX_NOTE_LENGTH) throw new ValidationError(`note is longer than ${MAX_NOTE_LENGTH} characters`, { field: 'note' });
    if (input.tokenId !== undefined) await this.tokens.get(input.tokenId);
    const rule = await this.repository.create({ id: newRowId(), tokenId: input.tokenId ?? null, kind: input.kind, pattern, note, createdAt: isoNow() });
    await this.load();
    return rule;
  }

  list(filter: { tokenId?: string } = {}): Promise<NoiseRule[]> {
    return this.repository.list(filter);
  }

  async delete(id: string): Promise<void> {
    await this.repository.delete(id);
    await this.load();
  }
}
