import { z } from 'zod';

/** Token severities, lowest first: a channel's minimum keeps what is below it off that channel. */
export const TOKEN_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const tokenSeveritySchema = z.enum(TOKEN_SEVERITIES);
export type TokenSeverity = z.infer<typeof tokenSeveritySchema>;
/** A token made without one: a canary hit is rarely innocent. */
export const DEFAULT_TOKEN_SEVERITY: TokenSeverity = 'high';

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 64;
/** Tags are names, not text: no spaces or commas, so lists and filters read unambiguously. */
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** A canary token as stored. */
export const tokenSchema = z.object({
  id: z.string(),
  kind: z.string(),
  memo: z.string(),
  enabled: z.boolean(),
  redirect: z.string().nullable(),
  /** Kind-specific configuration (a decoy's path, the credentials it hands out ...): each kind reads its own. */
  config: z.record(z.string(), z.unknown()),
  alertWindowSeconds: z.number().int().nullable(),
  /** How much a hit on it matters; channels may ask for a minimum (channel filters). The store
   * always sets it; absent only on tokens built outside it (DEFAULT_TOKEN_SEVERITY then). */
  severity: tokenSeveritySchema.optional(),
  /** Free labels (team, environment ...), for channel filters and the Activity view. */
  tags: z.array(z.string()).optional(),
  /** Every hit, exact. */
  hitCount: z.number().int().min(0),
  /** Hits whose details are stored in full; fewer under a flood (sampling) or after retention. */
  hitsKept: z.number().int().min(0),
  lastHitAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Token = z.infer<typeof tokenSchema>;
