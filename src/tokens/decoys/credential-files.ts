import { isoNow } from '../../core/time.js';
import type { Token } from '../../store/repositories/tokens.js';
import { awsCredentialsTokenKind } from '../aws-credentials.js';
import { decoyCredentialsOf, type DecoyCredential } from '../decoy-credentials.js';
import { envTokenKind } from '../env.js';
import type { ArtifactContext, TokenKind } from '../kind.js';
import { kubeconfigTokenKind } from '../kubeconfig.js';

export interface CredentialFile {
  content: string;
  credentials: DecoyCredential[];
}

/**
 * A decoy file built by a credential token kind's own builder for the given token id. The file
 * is the same as that kind's artifact, so its URLs and secrets name the token: reading it trips
 * the file watch, and using what it holds trips the server's credential trigger as well.
 */
function fromTokenKind(kind: TokenKind, tokenId: string, context: ArtifactContext): CredentialFile {
  const config = kind.prepare(tokenId, { memo: 'decoy file' }, context);
  const token: Token = {
    id: tokenId,
    kind: kind.kind,
    memo: 'decoy file',
    enabled: true,
    redirect: null,
    config,
    alertWindowSeconds: null,
    hitCount: 0,
    hitsKept: 0,
    lastHitAt: null,
    createdAt: isoNow(),
  };
  const file = kind.artifact(token, context).file;
  if (!file) throw new Error(`token kind ${kind.kind} built no file`);
  return { content: file.content, credentials: decoyCredentialsOf(token) };
}

export const awsCredentialsFile = (tokenId: string, context: ArtifactContext) => fromTokenKind(awsCredentialsTokenKind, tokenId, context);
export const kubeconfigFile = (tokenId: string, context: ArtifactContext) => fromTokenKind(kubeconfigTokenKind, tokenId, context);
export const envFile = (tokenId: string, context: ArtifactContext) => fromTokenKind(envTokenKind, tokenId, context);
