import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { isTokenIdShape, TOKEN_ID_LENGTH } from '../core/ids.js';
import { BASE32_ALPHABET as BASE32 } from './base32.js';

/**
 * Secrets for credential decoys. Where a credential's shape allows it, the secret itself carries
 * the token id, so the server can name the token from the credential alone, whatever URL the
 * attacker sends it to.
 */

const ID_BITS = BigInt(TOKEN_ID_LENGTH * 5);
/** Hex digits that hold an id's 130 bits; the rest of a 40-digit token is random. */
const ID_HEX_DIGITS = Math.ceil((TOKEN_ID_LENGTH * 5) / 4);
const HEX_TOKEN_LENGTH = 40;

function idToBigInt(id: string): bigint {
  let value = 0n;
  for (const char of id) value = (value << 5n) | BigInt(BASE32.indexOf(char));
  return value;
}

function bigIntToId(value: bigint): string {
  let id = '';
  for (let i = 0; i < TOKEN_ID_LENGTH; i++) {
    id = BASE32[Number(value & 31n)] + id;
    value >>= 5n;
  }
  return id;
}

/**
 * A 40-hex-digit access token (the shape of Gitea, Gogs and classic GitHub tokens) whose first
 * 33 digits are the token id's bits: it looks random and names its token.
 */
export function hexSecretFor(id: string): string {
  if (!isTokenIdShape(id)) throw new Error(`not a token id: ${id}`);
  const head = idToBigInt(id).toString(16).padStart(ID_HEX_DIGITS, '0');
  return (
    head +
    randomBytes(4)
      .toString('hex')
      .slice(0, HEX_TOKEN_LENGTH - ID_HEX_DIGITS)
  );
}

/** The token id a hexSecretFor() secret carries, or undefined for any other text. */
export function idFromHexSecret(secret: string): string | undefined {
  if (!/^[0-9a-f]{40}$/i.test(secret)) return undefined;
  const value = BigInt(`0x${secret.slice(0, ID_HEX_DIGITS)}`);
  if (value >> ID_BITS !== 0n) return undefined;
  return bigIntToId(value);
}

export function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function pick<T>(list: readonly T[]): T {
  return list[randomInt(list.length)]!;
}

const UPPER_BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A long-term IAM user key pair: AKIA plus 16 base32 characters, and a 40-character secret. */
export function awsKeyPair(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `AKIA${randomFrom(UPPER_BASE32, 16)}`, secretAccessKey: randomFrom(BASE64_CHARS, 40) };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A token shaped like a legacy Kubernetes service-account token (an RS256 JWT from the token
 * controller). It is never verified by anyone: the signature is random bytes of the right size.
 */
export function serviceAccountJwt(namespace: string, account: string): string {
  const header = { alg: 'RS256', kid: randomBytes(32).toString('base64url') };
  const claims = {
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': `${account}-token-${randomFrom('bcdfghjklmnpqrstvwxz2456789', 5)}`,
    'kubernetes.io/serviceaccount/service-account.name': account,
    'kubernetes.io/serviceaccount/service-account.uid': randomUUID(),
    sub: `system:serviceaccount:${namespace}:${account}`,
  };
  return `${base64url(header)}.${base64url(claims)}.${randomBytes(256).toString('base64url')}`;
}
