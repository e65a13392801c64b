import { z } from 'zod';

/**
 * What the server's own databases say about a hit's source address, looked up when the hit is
 * recorded (MaxMind-format files given by path, and reverse DNS through the host's resolver).
 * Fields the databases do not know are absent.
 */
export const enrichmentSchema = z.object({
  /** ISO 3166-1 alpha-2 code. */
  country: z.string().optional(),
  countryName: z.string().optional(),
  city: z.string().optional(),
  asn: z.number().int().optional(),
  asOrg: z.string().optional(),
  /** The PTR name of the source address. */
  hostname: z.string().optional(),
});
export type Enrichment = z.infer<typeof enrichmentSchema>;
