/**
 * Hit details of the credential listeners (SSH, MySQL, SMTP, WireGuard): one variant each of the
 * hit detail union (hit-detail.ts), kept here so that union stays a list of names.
 */
import { z } from 'zod';

export const sshHitLevelSchema = z.enum(['key-offered', 'private-key-used']);
export type SshHitLevel = z.infer<typeof sshHitLevelSchema>;

export const sshHitDetailSchema = z.object({
  type: z.literal('ssh'),
  /** key-offered: the client asked whether the key would do; private-key-used: it signed with it and the signature verified. */
  level: sshHitLevelSchema,
  user: z.string(),
  /** The client's version line, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6". */
  clientVersion: z.string(),
  keyType: z.string(),
  /** SHA256:... as ssh-keygen -l prints it. */
  fingerprint: z.string(),
  summary: z.string(),
});
export type SshHitDetail = z.infer<typeof sshHitDetailSchema>;

export const mysqlHitDetailSchema = z.object({
  type: z.literal('mysql'),
  user: z.string(),
  /** The database the client asked for, when it named one. */
  database: z.string().nullable(),
  /** The client's capability flags as sent, and the names of the telling ones. */
  capabilities: z.number().int(),
  capabilityNames: z.array(z.string()),
  /** Connection attributes (_client_name, _os, program_name ...) when the client sent them. */
  attributes: z.record(z.string(), z.string()),
  authPlugin: z.string().nullable(),
  /** The importing server's host name, when the user name carried one (a dump's replica connection). */
  serverHost: z.string().nullable(),
  /** True when the user name is the dump's replica user: a server that imported the dump connected. */
  replica: z.boolean(),
  summary: z.string(),
});
export type MysqlHitDetail = z.infer<typeof mysqlHitDetailSchema>;

export const smtpAttachmentSchema = z.object({ name: z.string(), contentType: z.string(), size: z.number().int() });

export const smtpHitDetailSchema = z.object({
  type: z.literal('smtp'),
  helo: z.string(),
  mailFrom: z.string(),
  rcptTo: z.array(z.string()),
  /** The recipient that named the token. */
  recipient: z.string(),
  subject: z.string().nullable(),
  /** Header lines as sent, each cut short; only the first ones when there are many. */
  headers: z.record(z.string(), z.string()),
  attachments: z.array(smtpAttachmentSchema),
  /** Bytes of the message as received, and whether the server stopped reading it at its cap. */
  size: z.number().int(),
  truncated: z.boolean(),
  summary: z.string(),
});
export type SmtpHitDetail = z.infer<typeof smtpHitDetailSchema>;

export const wireguardHitDetailSchema = z.object({
  type: z.literal('wireguard'),
  /** The client's static public key (base64), which names the token. */
  publicKey: z.string(),
  /** The TAI64N time the client put in its handshake, as ISO 8601: the client's own clock. */
  handshakeTime: z.string().nullable(),
  senderIndex: z.number().int(),
  summary: z.string(),
});
export type WireguardHitDetail = z.infer<typeof wireguardHitDetailSchema>;
