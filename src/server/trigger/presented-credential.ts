import type { IncomingHttpHeaders } from 'node:http';
import { isTokenIdShape } from '../../core/ids.js';
import type { PresentedCredential } from '../../core/model/hit-detail.js';
import { idFromHexSecret } from '../../tokens/decoy-secret.js';

/** Attacker-controlled text kept in a hit is cut to this length. */
const MAX_FIELD = 512;
/** Secrets are compared, not kept; a service-account JWT alone is ~900 characters. */
const MAX_SECRET = 8192;
const API_KEY_HEADERS = ['x-api-key', 'api-key', 'private-token', 'x-auth-token'];

function cap(text: string): string {
  return text.length > MAX_FIELD ? text.slice(0, MAX_FIELD) : text;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function jwtSubject(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    const sub = typeof claims === 'object' && claims !== null ? (claims as { sub?: unknown }).sub : undefined;
    return typeof sub === 'string' ? cap(sub) : undefined;
  } catch {
    return undefined;
  }
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, ...` or its query form. */
function sigV4Scope(credential: string, carrier: string): PresentedCredential {
  const [accessKeyId = '', , region, service] = credential.split('/');
  return {
    scheme: 'aws-sigv4',
    carrier,
    accessKeyId: cap(accessKeyId),
    ...(region ? { region: cap(region) } : {}),
    ...(service ? { service: cap(service) } : {}),
  };
}

function fromAuthorization(value: string): PresentedCredential | undefined {
  const space = value.indexOf(' ');
  const scheme = (space === -1 ? value : value.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : value.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return {
      scheme: 'basic',
      carrier: 'authorization',
      user: cap(colon === -1 ? decoded : decoded.slice(0, colon)),
      secret: colon === -1 ? '' : decoded.slice(colon + 1, colon + 1 + MAX_SECRET),
    };
  }
  if (scheme === 'bearer' || scheme === 'token') {
    const subject = jwtSubject(rest);
    return { scheme: 'bearer', carrier: 'authorization', secret: rest.slice(0, MAX_SECRET), ...(subject ? { subject } : {}) };
  }
  if (scheme === 'aws4-hmac-sha256') {
    const credential = /Credential=([^,\s]+)/.exec(rest)?.[1];
    return sigV4Scope(credential ?? '', 'authorization');
  }
  if (scheme === 'aws') return { scheme: 'aws-sigv2', carrier: 'authorization', accessKeyId: cap(rest.split(':')[0] ?? '') };
  return undefined;
}

/** Reads the credential a request presents: Authorization, API-key headers, or presigned query. */
export function readPresentedCredential(headers: IncomingHttpHeaders, query: string): PresentedCredential | undefined {
  const authorization = header(headers, 'authorization');
  const fromHeader = authorization ? fromAuthorization(authorization) : undefined;
  if (fromHeader) return fromHeader;
  for (const name of API_KEY_HEADERS) {
    const value = header(headers, name);
    if (value) return { scheme: 'api-key', carrier: name, secret: value.slice(0, MAX_SECRET) };
  }
  // Parsing every trigger's query cost more than the rest of this check: a query names one of
  // these keys only if the key is there as written or percent-escaped ('+' decodes to a space,
  // which neither key has).
  if (query && (query.includes('X-Amz-Credential') || query.includes('AWSAccessKeyId') || query.includes('%'))) {
    const params = new URLSearchParams(query);
    const presigned = params.get('X-Amz-Credential');
    if (presigned) return sigV4Scope(presigned, 'query');
    const v2 = params.get('AWSAccessKeyId');
    if (v2) return { scheme: 'aws-sigv2', carrier: 'query', accessKeyId: cap(v2) };
  }
  return undefined;
}

/** Token ids a credential may carry: decoy secrets embed them (see tokens/decoy-secret.ts). */
export function tokenIdsInCredential(credential: PresentedCredential | undefined): string[] {
  if (!credential) return [];
  const ids = new Set<string>();
  for (const text of [credential.secret, credential.user]) {
    if (!text) continue;
    const fromHex = idFromHexSecret(text);
    if (fromHex) ids.add(fromHex);
    for (const piece of text.toLowerCase().split(/[^a-z0-9]+/)) if (isTokenIdShape(piece)) ids.add(piece);
  }
  return [...ids].slice(0, 4);
}
