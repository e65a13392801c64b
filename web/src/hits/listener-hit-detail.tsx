import type { ReactNode } from 'react';
import type { Hit } from '../api/types';
import { Facts } from '../components/fields';
import { absoluteTime } from '../format';
import { asNumber, asObject, asString, asStrings, type Json } from './detail-values';

/** Hits the credential listeners record: an SSH login, a MySQL login, a mail, a WireGuard handshake. */
export const LISTENER_HIT_TYPES = ['ssh', 'mysql', 'smtp', 'wireguard'] as const;

const mono = (value: string | undefined): ReactNode => (value === undefined ? null : <span className="mono break">{value}</span>);

function sshFacts(detail: Json): [string, ReactNode][] {
  const level = asString(detail.level);
  return [
    [
      'Level',
      level === 'private-key-used' ? 'private key used (signed with the decoy key)' : level === 'key-offered' ? 'key offered (public half only)' : null,
    ],
    ['SSH user', mono(asString(detail.user))],
    ['Client version', mono(asString(detail.clientVersion))],
    ['Key', mono([asString(detail.keyType), asString(detail.fingerprint)].filter(Boolean).join(' '))],
  ];
}

function mysqlFacts(detail: Json): [string, ReactNode][] {
  const attributes = Object.entries(asObject(detail.attributes) ?? {});
  return [
    ['Connection', detail.replica === true ? 'replica of a server that imported the dump' : 'client login with the dump’s credentials'],
    ['MySQL user', mono(asString(detail.user))],
    ['Importing server', mono(asString(detail.serverHost))],
    ['Database', mono(asString(detail.database))],
    ['Auth plugin', mono(asString(detail.authPlugin))],
    ['Client attributes', attributes.length > 0 ? mono(attributes.map(([k, v]) => `${k}=${String(v)}`).join('  ')) : null],
    ['Capabilities', mono(asStrings(detail.capabilityNames)?.join(' '))],
  ];
}

function smtpFacts(detail: Json): [string, ReactNode][] {
  const attachments = Array.isArray(detail.attachments) ? detail.attachments.map(asObject).filter((a): a is Json => a !== undefined) : [];
  const headers = Object.entries(asObject(detail.headers) ?? {});
  const size = asNumber(detail.size);
  return [
    ['Recipient', mono(asString(detail.recipient))],
    ['Sender', mono(asString(detail.mailFrom) || '<>')],
    ['HELO', mono(asString(detail.helo))],
    ['Subject', asString(detail.subject) ?? null],
    [
      'Attachments',
      attachments.length > 0 ? (
        <ul className="attachment-list">
          {attachments.map((a, i) => (
            <li key={i} className="mono break">{`${asString(a.name)} (${asString(a.contentType)}, ${asNumber(a.size)} bytes)`}</li>
          ))}
        </ul>
      ) : null,
    ],
    ['Size', size === undefined ? null : `${size} bytes${detail.truncated === true ? ' (kept up to the cap)' : ''}`],
    ['Headers', headers.length > 0 ? <pre className="code-block">{headers.map(([k, v]) => `${k}: ${String(v)}`).join('\n')}</pre> : null],
  ];
}

function wireguardFacts(detail: Json): [string, ReactNode][] {
  const clock = asString(detail.handshakeTime);
  return [
    ['Client public key', mono(asString(detail.publicKey))],
    ["Client's clock", clock ? absoluteTime(clock) : null],
    ['Sender index', asNumber(detail.senderIndex)?.toString() ?? null],
  ];
}

export function isListenerHit(hit: Hit): boolean {
  return (LISTENER_HIT_TYPES as readonly string[]).includes(hit.detail.type);
}

/** The detail of a credential listener's hit, field by field; all of it is the client's text. */
export function ListenerHitDetail({ hit }: { hit: Hit }) {
  // Read defensively: the server types details without re-validating them.
  const detail: Json = hit.detail;
  const facts = { ssh: sshFacts, mysql: mysqlFacts, smtp: smtpFacts, wireguard: wireguardFacts }[hit.detail.type as (typeof LISTENER_HIT_TYPES)[number]];
  return <Facts items={facts(detail)} />;
}
