import { ValidationError } from '../core/errors.js';
import { decodeBase32, encodeBase32 } from './base32.js';
import type { ArtifactContext, TokenKind } from './kind.js';
import { configString } from './options.js';

/** Longest DNS label; data longer than this is split over several labels. */
const MAX_LABEL = 63;

/** What the labels in front of a token name carried, as stored in a hit. */
export interface DnsData {
  /** The labels as sent (lower-cased), outermost first. */
  labels: string[];
  /** The decoded bytes as text, when they are printable UTF-8. */
  text: string | null;
  /** The decoded bytes, when the labels were base32. */
  base64: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function printable(bytes: Buffer): string | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? null : text;
}

/** Decodes data labels (`<data>.<id>.<zone>`): base32, possibly split over several labels. */
export function decodeDnsData(labels: string[]): DnsData {
  const bytes = decodeBase32(labels.join(''));
  return { labels, text: bytes ? printable(bytes) : null, base64: bytes ? bytes.toString('base64') : null };
}

/** The name that carries `data` to a dns token: base32 labels in front of its hostname. */
export function dnsNameWithData(hostname: string, data: Uint8Array): string {
  const encoded = encodeBase32(data);
  const labels: string[] = [];
  for (let i = 0; i < encoded.length; i += MAX_LABEL) labels.push(encoded.slice(i, i + MAX_LABEL));
  return [...labels, hostname].join('.');
}

/** The server's DNS zone, for kinds whose tokens are names under it; a clear error when it answers none. */
export function requireDnsZone(context: ArtifactContext, kind: string): string {
  if (!context.dnsZone) {
    throw new ValidationError(`this server answers no DNS zone: start it with --dns-zone <zone> (and delegate the zone to it) to create ${kind} tokens`, {
      field: 'kind',
    });
  }
  return context.dnsZone;
}

/** A hostname that records whoever resolves it (the resolver's address, and any data packed in front). */
export const dnsTokenKind: TokenKind = {
  kind: 'dns',
  title: 'DNS name: a hostname that alerts when resolved',
  prepare(_id, _input, context) {
    // Kept with the token so its hostname never changes, even if the server's zone does.
    return { zone: requireDnsZone(context, 'dns') };
  },
  artifact(token, context) {
    const hostname = `${token.id}.${configString(token.config, 'zone', context.dnsZone ?? 'invalid')}`;
    return {
      hostname,
      usage: `Resolve ${hostname} (any record type) to fire the token; base32 data in labels in front (<data>.${hostname}) is decoded into the hit.`,
    };
  },
};
