import { ValidationError } from '../../core/errors.js';
import type { DecoyCredential } from '../decoy-credentials.js';
import type { ArtifactContext } from '../kind.js';
import { awsCredentialsFile, envFile, kubeconfigFile } from './credential-files.js';
import { vaultInitDecoy } from './generic.js';
import { sshKeyDecoy } from './ssh-key.js';

/** The decoy files Tripline can write, each with fresh random content every time. */
export const DECOY_KINDS = ['ssh-key', 'aws-credentials', 'kubeconfig', 'env', 'generic'] as const;
export type DecoyKind = (typeof DECOY_KINDS)[number];

export const DECOY_TITLES: Record<DecoyKind, string> = {
  'ssh-key': 'OpenSSH private key (Ed25519)',
  'aws-credentials': 'AWS shared credentials file',
  kubeconfig: 'kubeconfig with a service-account token',
  env: '.env file with service URLs and API keys',
  generic: 'saved Vault unseal keys and root token',
};

export interface Decoy {
  kind: DecoyKind;
  content: string;
  /** Decoys are secrets: owner read/write only, as the real files would be. */
  mode: number;
  /** Secrets the file holds, so a hit from using one can name it. */
  credentials: DecoyCredential[];
  /** Public facts worth keeping about the decoy (an SSH key's public half and fingerprint). */
  facts: Record<string, string>;
}

export function isDecoyKind(value: unknown): value is DecoyKind {
  return typeof value === 'string' && (DECOY_KINDS as readonly string[]).includes(value);
}

/**
 * A fresh decoy of the given kind. Credential kinds embed the token id and the public URL (the
 * same builders as the credential token kinds), so using the stolen secret fires too.
 */
export function generateDecoy(kind: DecoyKind, tokenId: string, context: ArtifactContext): Decoy {
  const base = { kind, mode: 0o600 };
  switch (kind) {
    case 'ssh-key': {
      const key = sshKeyDecoy();
      return { ...base, content: key.privateKey, credentials: [], facts: { publicKey: key.publicKey, fingerprint: key.fingerprint } };
    }
    case 'aws-credentials':
      return { ...base, ...awsCredentialsFile(tokenId, context), facts: {} };
    case 'kubeconfig':
      return { ...base, ...kubeconfigFile(tokenId, context), facts: {} };
    case 'env':
      return { ...base, ...envFile(tokenId, context), facts: {} };
    case 'generic':
      return { ...base, content: vaultInitDecoy(), credentials: [], facts: {} };
    default:
      throw new ValidationError(`unknown decoy kind ${JSON.stringify(kind)}; expected one of ${DECOY_KINDS.join(', ')}`, { field: 'decoyKind' });
  }
}
