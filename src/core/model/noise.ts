import { z } from 'zod';

/**
 * What a noise rule matches. `cidr`: the source address of a network hit; `resolver`: the address
 * a DNS question came from (the resolver, not the client behind it); `user-agent`: a pattern
 * (case-insensitive, `*` for any text) found anywhere in the user agent; `asn`: the source's
 * autonomous system number, from the ASN database (--asn-db); `known-scanners`: the shipped list
 * of link scanners and unfurlers (docs/noise.md), matched by user agent.
 */
export const noiseRuleKindSchema = z.enum(['cidr', 'resolver', 'user-agent', 'asn', 'known-scanners']);
export type NoiseRuleKind = z.infer<typeof noiseRuleKindSchema>;

export const noiseRuleSchema = z.object({
  id: z.string(),
  /** The token it applies to; null for every token. */
  tokenId: z.string().nullable(),
  kind: noiseRuleKindSchema,
  /** A CIDR or address, a user-agent pattern or an AS number; empty for known-scanners. */
  pattern: z.string(),
  /** Why the rule exists, for whoever reads the muted hit later. */
  note: z.string(),
  createdAt: z.string(),
});
export type NoiseRule = z.infer<typeof noiseRuleSchema>;

/**
 * The rule that muted a hit, copied onto the hit when it is recorded: the hit keeps its reason
 * even after the rule is changed or deleted.
 */
export const muteSchema = z.object({
  ruleId: z.string(),
  kind: noiseRuleKindSchema,
  pattern: z.string(),
  /** Global rule, or one of the token's own. */
  scope: z.enum(['global', 'token']),
  note: z.string(),
  /** For known-scanners: the listed service whose user agent matched (e.g. "Slack"). */
  matched: z.string().optional(),
});
export type Mute = z.infer<typeof muteSchema>;
