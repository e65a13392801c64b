import type { MysqlHitDetail, SmtpHitDetail, SshHitDetail, WireguardHitDetail } from '../../core/model/listener-hit-detail.js';
import type { Fact, HitDescription } from '../../core/model/hit.js';
import { fact } from './fact.js';

/** An SSH login attempt with the token's key: which level (offered, or signed with), by whom. */
export function describeSshHit(detail: SshHitDetail): HitDescription {
  return {
    summary: detail.summary,
    facts: [
      fact('What', detail.summary),
      fact('Level', detail.level),
      fact('SSH user', detail.user),
      fact('Client version', detail.clientVersion),
      fact('Key', `${detail.keyType} ${detail.fingerprint}`),
    ],
  };
}

/** A MySQL login with the token's user: a replica of a server that imported the dump, or a client. */
export function describeMysqlHit(detail: MysqlHitDetail): HitDescription {
  const facts: Fact[] = [fact('What', detail.summary), fact('MySQL user', detail.user)];
  if (detail.serverHost !== null) facts.push(fact('Importing server', detail.serverHost));
  if (detail.database !== null) facts.push(fact('Database', detail.database));
  if (detail.authPlugin !== null) facts.push(fact('Auth plugin', detail.authPlugin));
  const attributes = Object.entries(detail.attributes);
  if (attributes.length > 0) facts.push(fact('Client attributes', attributes.map(([k, v]) => `${k}=${v}`).join(' '), true));
  facts.push(fact('Capabilities', detail.capabilityNames.join(' ') || `0x${detail.capabilities.toString(16)}`, true));
  return { summary: detail.summary, facts };
}

/** Mail to the token's address: envelope, greeting, subject and attachments. */
export function describeSmtpHit(detail: SmtpHitDetail): HitDescription {
  const facts: Fact[] = [fact('What', detail.summary), fact('Recipient', detail.recipient), fact('Sender', detail.mailFrom || '<>'), fact('HELO', detail.helo)];
  if (detail.subject !== null) facts.push(fact('Subject', detail.subject));
  if (detail.rcptTo.length > 1) facts.push(fact('All recipients', detail.rcptTo.join(', '), true));
  for (const attachment of detail.attachments) facts.push(fact('Attachment', `${attachment.name} (${attachment.contentType}, ${attachment.size} bytes)`));
  facts.push(fact('Size', `${detail.size} bytes${detail.truncated ? ' (cut at the cap)' : ''}`));
  const headers = Object.entries(detail.headers);
  if (headers.length > 0) facts.push(fact('Headers', headers.map(([k, v]) => `${k}: ${v}`).join('\n'), true));
  return { summary: detail.summary, facts };
}

/** A WireGuard handshake from the token's config. */
export function describeWireguardHit(detail: WireguardHitDetail): HitDescription {
  const facts: Fact[] = [fact('What', detail.summary), fact('Client public key', detail.publicKey)];
  if (detail.handshakeTime !== null) facts.push(fact("Client's clock", detail.handshakeTime));
  return { summary: detail.summary, facts };
}
