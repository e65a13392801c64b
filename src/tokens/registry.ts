import { ValidationError } from '../core/errors.js';
import { awsCredentialsTokenKind } from './aws-credentials.js';
import { dnsTokenKind } from './dns.js';
import { envTokenKind } from './env.js';
import { fileTokenKind } from './file.js';
import { gitCredentialsTokenKind } from './git-credentials.js';
import { httpTokenKind } from './http.js';
import type { TokenKind } from './kind.js';
import { kubeconfigTokenKind } from './kubeconfig.js';
import { netrcTokenKind } from './netrc.js';

const kinds = new Map<string, TokenKind>(
  [
    httpTokenKind,
    dnsTokenKind,
    kubeconfigTokenKind,
    gitCredentialsTokenKind,
    netrcTokenKind,
    awsCredentialsTokenKind,
    envTokenKind,
    fileTokenKind,
  ].map((kind) => [kind.kind, kind]),
);

export function tokenKinds(): TokenKind[] {
  return [...kinds.values()];
}

export function tokenKind(kind: string): TokenKind {
  const found = kinds.get(kind);
  if (!found) {
    throw new ValidationError(`unknown token kind "${kind}"; known kinds: ${[...kinds.keys()].join(', ')}`, {
      field: 'kind',
    });
  }
  return found;
}
