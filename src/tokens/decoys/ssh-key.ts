import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pick } from '../decoy-secret.js';

/**
 * An unencrypted Ed25519 private key in OpenSSH's own format (openssh-key-v1, what ssh-keygen
 * writes since 7.8), built from a fresh key pair. It is a real key: `ssh-keygen -y` derives its
 * public half and ssh would offer it; only no server ever trusts it.
 *
 * Layout (PROTOCOL.key in OpenSSH): "openssh-key-v1\0", cipher "none", kdf "none", empty kdf
 * options, one key; the public key blob; then the private section: a repeated random check int,
 * key type, public key, 64-byte secret (seed || public), comment, and padding 1, 2, 3 ... to the
 * cipher block size (8 for "none").
 */

export const SSH_USERS = ['deploy', 'ubuntu', 'admin', 'jenkins', 'backup', 'ops', 'root', 'ansible', 'gitlab-runner'];
export const SSH_HOSTS = ['bastion-01', 'build-02', 'prod-db-1', 'jump', 'ci-runner-3', 'web-04', 'mgmt', 'backup-srv'];
const KEY_TYPE = 'ssh-ed25519';
const BLOCK_SIZE = 8;
const LINE_WIDTH = 70;

export interface SshKeyDecoy {
  /** The PEM-armoured private key file. */
  privateKey: string;
  /** The authorized_keys line ssh-keygen -y prints for it. */
  publicKey: string;
  /** SHA256:... as ssh-keygen -l shows it. */
  fingerprint: string;
  comment: string;
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

/** An SSH wire-format string: 32-bit length, then the bytes. */
function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([u32(bytes.length), bytes]);
}

function ed25519Pair(): { seed: Buffer; pub: Buffer } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x) throw new Error('node:crypto returned an Ed25519 JWK without d or x');
  return { seed: Buffer.from(jwk.d, 'base64url'), pub: Buffer.from(jwk.x, 'base64url') };
}

/** SHA256:... as ssh-keygen -l prints it, from a public key blob as the wire carries it. */
export function sshFingerprint(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`;
}

/** An SSH mpint: big-endian, with a zero byte in front when the top bit is set (it is unsigned). */
function mpint(bytes: Buffer): Buffer {
  return sshString(bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/**
 * An RSA key for the places where Ed25519 is not accepted: PKCS#1 PEM, which OpenSSH reads as
 * readily as its own format.
 */
export function sshRsaKeyDecoy(comment = `${pick(SSH_USERS)}@${pick(SSH_HOSTS)}`, bits = 3072): SshKeyDecoy {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.n || !jwk.e) throw new Error('node:crypto returned an RSA JWK without n or e');
  const publicBlob = Buffer.concat([sshString('ssh-rsa'), mpint(Buffer.from(jwk.e, 'base64url')), mpint(Buffer.from(jwk.n, 'base64url'))]);
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
    publicKey: `ssh-rsa ${publicBlob.toString('base64')} ${comment}`,
    fingerprint: sshFingerprint(publicBlob),
    comment,
  };
}

export function sshKeyDecoy(comment = `${pick(SSH_USERS)}@${pick(SSH_HOSTS)}`): SshKeyDecoy {
  const { seed, pub } = ed25519Pair();
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const padding = (BLOCK_SIZE - (section.length % BLOCK_SIZE)) % BLOCK_SIZE;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(publicBlob),
    sshString(section),
  ]);
  const base64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += LINE_WIDTH) lines.push(base64.slice(i, i + LINE_WIDTH));
  const privateKey = ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
  const fingerprint = sshFingerprint(publicBlob);
  return { privateKey, publicKey: `${KEY_TYPE} ${publicBlob.toString('base64')} ${comment}`, fingerprint, comment };
}
