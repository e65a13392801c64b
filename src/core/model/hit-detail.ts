/**
 * What a hit records besides who and when: a tagged union on `type`, one variant per way a hit
 * arrives (an HTTP request, a DNS question, an agent's file observation). Token kinds ride on
 * these: a credential decoy's hit is an HTTP hit with the client and credential filled in; a
 * new kind triggered over HTTP or DNS needs no new variant. A new trigger listener (SSH, SMTP ...)
 * adds one variant here and its description in src/tokens/hits/.
 *
 * The triggers build these values as typed objects and the store keeps them as JSON; nothing on
 * the write path parses them again (the schemas are for the agent's door, tests and tools).
 */
import { z } from 'zod';
import { fileObservationSchema } from '../file-event.js';
import { mysqlHitDetailSchema, smtpHitDetailSchema, sshHitDetailSchema, wireguardHitDetailSchema } from './listener-hit-detail.js';

/** The first bytes of a request body, as text when they are valid UTF-8, else base64. */
export const capturedBodySchema = z.object({
  size: z.number().int().min(0),
  truncated: z.boolean(),
  encoding: z.enum(['utf8', 'base64']),
  head: z.string(),
});
export type CapturedBody = z.infer<typeof capturedBodySchema>;

/** Clients that decoy credentials are made for, recognised by the shape of their requests. */
export const credentialClientKindSchema = z.enum(['git', 'kubernetes', 'aws', 'api']);
export type CredentialClientKind = z.infer<typeof credentialClientKindSchema>;

/** A credential a client sent with a request, as far as its scheme lets the server read it. */
export const presentedCredentialSchema = z.object({
  scheme: z.enum(['basic', 'bearer', 'aws-sigv4', 'aws-sigv2', 'api-key']),
  /** Where it came: a header name, or "query" for presigned URLs. */
  carrier: z.string(),
  user: z.string().optional(),
  /** The secret itself (Basic password, bearer token, API key); SigV4 never sends one. Never stored. */
  secret: z.string().optional(),
  accessKeyId: z.string().optional(),
  /** SigV4 credential scope: the region and service the client signed for. */
  region: z.string().optional(),
  service: z.string().optional(),
  /** The `sub` claim when the bearer token is a JWT (e.g. a Kubernetes service account). */
  subject: z.string().optional(),
});
export type PresentedCredential = z.infer<typeof presentedCredentialSchema>;

/** The presented credential as a hit keeps it: without the secret, with the decoy it matched. */
export const storedCredentialSchema = presentedCredentialSchema.omit({ secret: true }).extend({
  /** The name of the token's decoy credential it matched; null for anything else (a guess, another key). */
  decoy: z.string().nullable(),
});
export type StoredCredential = z.infer<typeof storedCredentialSchema>;

export const httpHitDetailSchema = z.object({
  type: z.literal('http'),
  method: z.string(),
  /** Path and query as sent, undecoded. */
  path: z.string(),
  query: z.string(),
  headers: z.record(z.string(), z.string()),
  body: capturedBodySchema.optional(),
  /** Set when a credential client (git, kubectl, an AWS SDK ...) made the request. */
  client: credentialClientKindSchema.optional(),
  credential: storedCredentialSchema.nullable().optional(),
  /** The trigger's one-line account, for credential clients. */
  summary: z.string().optional(),
});
export type HttpHitDetail = z.infer<typeof httpHitDetailSchema>;

export const dnsTransportSchema = z.enum(['udp', 'tcp']);

export const dnsHitDetailSchema = z.object({
  type: z.literal('dns'),
  qtype: z.string(),
  qclass: z.string(),
  /** The full name asked for, lower-cased (resolvers randomise case; it carries no meaning). */
  name: z.string(),
  transport: dnsTransportSchema,
  /** Data labels decoded as text, when they were printable base32. */
  data: z.string().nullable(),
  dataBase64: z.string().optional(),
  dataLabels: z.array(z.string()).optional(),
  /** EDNS Client Subnet the resolver passed on: the network of the client behind the resolver. */
  clientSubnet: z.string().optional(),
  summary: z.string(),
});
export type DnsHitDetail = z.infer<typeof dnsHitDetailSchema>;

/** An agent's observation as stored, with the one line `tripline token hits` shows. */
export const fileHitDetailSchema = fileObservationSchema.extend({
  type: z.literal('file'),
  summary: z.string(),
});
export type FileHitDetail = z.infer<typeof fileHitDetailSchema>;

/** No detail at hand: an alert whose hit went with its token, or a count-only stand-in. */
export const noHitDetailSchema = z.object({ type: z.literal('none') });

export const hitDetailSchema = z.discriminatedUnion('type', [
  httpHitDetailSchema,
  dnsHitDetailSchema,
  fileHitDetailSchema,
  noHitDetailSchema,
  sshHitDetailSchema,
  mysqlHitDetailSchema,
  smtpHitDetailSchema,
  wireguardHitDetailSchema,
]);
export type HitDetail = z.infer<typeof hitDetailSchema>;
export type HitDetailType = HitDetail['type'];

/**
 * The tag of a detail stored before details carried one, from the fields each trigger always
 * wrote. Cheap (a few property checks) so rows can be read without a migration rewriting them.
 */
export function untaggedDetailType(detail: Record<string, unknown>): HitDetailType {
  if (typeof detail.method === 'string') return 'http';
  if (typeof detail.qtype === 'string') return 'dns';
  if (typeof detail.node === 'string') return 'file';
  return 'none';
}
