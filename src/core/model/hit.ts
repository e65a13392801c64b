import { z } from 'zod';
import { enrichmentSchema } from './enrichment.js';
import { hitDetailSchema } from './hit-detail.js';
import { muteSchema } from './noise.js';

/** One recorded trigger of a token. */
export const hitSchema = z.object({
  id: z.string(),
  tokenId: z.string(),
  /** The token's kind when the hit was recorded. */
  kind: z.string(),
  at: z.string(),
  /** IP address for network triggers, node name for file hits. */
  source: z.string(),
  userAgent: z.string().nullable(),
  detail: hitDetailSchema,
  /** The agent that reported it; null or absent for hits the server saw itself. */
  agentId: z.string().nullable().optional(),
  /** When the server took it in; absent on hits made before this was kept. */
  receivedAt: z.string().nullable().optional(),
  /** The noise rule that matched when it was recorded: stored and counted, but raised no alert. */
  mutedBy: muteSchema.nullable().optional(),
  /** Country, city, ASN and host name of the source, from the server's own databases. */
  enrichment: enrichmentSchema.nullable().optional(),
});
export type Hit = z.infer<typeof hitSchema>;

/** One labelled piece of evidence, plain text (channels and the dashboard escape it for their format). */
export const factSchema = z.object({
  label: z.string(),
  value: z.string(),
  /** Evidence that may run long (headers, arguments): shown in full width, not inline. */
  long: z.boolean().optional(),
});
export type Fact = z.infer<typeof factSchema>;

/** How a hit reads to a person, as its token kind describes it (src/tokens/hits/). */
export const hitDescriptionSchema = z.object({
  /** One line: what happened. */
  summary: z.string(),
  /** The evidence, most telling first (time and source are the caller's). */
  facts: z.array(factSchema),
});
export type HitDescription = z.infer<typeof hitDescriptionSchema>;

/** A hit as the API and the live stream send it: with its kind's description, so no client needs to know kinds. */
export const hitViewSchema = hitSchema.extend(hitDescriptionSchema.shape);
export type HitView = z.infer<typeof hitViewSchema>;
