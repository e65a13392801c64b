import { z } from 'zod';

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
  /** Every hit, exact. */
  hitCount: z.number().int().min(0),
  /** Hits whose details are stored in full; fewer under a flood (sampling) or after retention. */
  hitsKept: z.number().int().min(0),
  lastHitAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Token = z.infer<typeof tokenSchema>;
