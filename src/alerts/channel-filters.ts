import { z } from 'zod';
import { TOKEN_SEVERITIES, tokenSeveritySchema, type TokenSeverity } from '../core/model/token.js';

/**
 * Which alerts a channel takes. Each part left out takes everything; the parts given must all
 * hold: the token's severity at least `minSeverity`, one of the token's tags in `tags`, the
 * token's kind in `kinds`.
 */
export const channelFiltersSchema = z
  .object({
    minSeverity: tokenSeveritySchema.optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).optional(),
    kinds: z.array(z.string().min(1).max(64)).max(50).optional(),
  })
  .strict();
export type ChannelFilters = z.infer<typeof channelFiltersSchema>;

/** What a filter looks at. */
export interface FilteredToken {
  kind: string;
  severity: TokenSeverity;
  tags: string[];
}

/** Null when the channel takes the token's alerts, else why not, in words. */
export function filteredOut(filters: ChannelFilters, token: FilteredToken): string | null {
  if (filters.minSeverity && TOKEN_SEVERITIES.indexOf(token.severity) < TOKEN_SEVERITIES.indexOf(filters.minSeverity)) {
    return `token severity ${token.severity} is below the channel's minimum ${filters.minSeverity}`;
  }
  if (filters.tags && filters.tags.length > 0 && !token.tags.some((tag) => filters.tags!.includes(tag))) {
    return `token has none of the channel's tags (${filters.tags.join(', ')})`;
  }
  if (filters.kinds && filters.kinds.length > 0 && !filters.kinds.includes(token.kind)) {
    return `token kind ${token.kind} is not one of the channel's kinds (${filters.kinds.join(', ')})`;
  }
  return null;
}

/** A channel's stored filters. Only the server writes them, checked; anything unreadable filters nothing rather than losing alerts. */
export function parseFilters(json: string | Record<string, unknown> | undefined): ChannelFilters {
  try {
    const parsed = channelFiltersSchema.safeParse(typeof json === 'string' ? JSON.parse(json) : (json ?? {}));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
