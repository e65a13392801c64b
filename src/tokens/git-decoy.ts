import type { Token } from '../store/repositories/tokens.js';
import type { DecoyCredential } from './decoy-credentials.js';
import { hexSecretFor, pick } from './decoy-secret.js';
import type { ArtifactContext, TokenOptionField, TokenOptions } from './kind.js';
import { configString, publicUrlOf, stringOption } from './options.js';

/**
 * What git-credentials and netrc decoys share: a deploy user with an access token for a git host
 * on Tripline. The token carries the token id, so a clone of any repository with it fires.
 */
const USERS = ['deploy-bot', 'ci-deploy', 'build-agent', 'svc-release', 'jenkins', 'gitops-sync', 'release-bot'];
const REPOSITORIES = [
  'platform/infrastructure',
  'ops/terraform-live',
  'infra/k8s-manifests',
  'backend/payments-service',
  'ops/secrets',
  'platform/deploy-scripts',
];

const USER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,3}$/;

export const GIT_DECOY_FIELDS: TokenOptionField[] = [
  {
    name: 'username',
    label: 'User name',
    type: 'text',
    placeholder: 'deploy-bot',
    help: 'The decoy user the hit will name; a plausible one is chosen when empty.',
  },
  {
    name: 'repository',
    label: 'Repository path',
    type: 'text',
    placeholder: 'platform/infrastructure',
    help: 'The repository the credential seems to be for.',
  },
];

export function prepareGitDecoy(id: string, input: TokenOptions): Record<string, unknown> {
  const username = stringOption(input, 'username', USER_PATTERN, 'a user name of letters, digits, ".", "_" or "-"') ?? pick(USERS);
  const repository =
    stringOption(input, 'repository', REPOSITORY_PATTERN, 'a repository path such as "group/project"')?.replace(/\.git$/, '') ?? pick(REPOSITORIES);
  const password = hexSecretFor(id);
  const credentials: DecoyCredential[] = [{ name: 'git access token', user: username, secret: password }];
  return { username, repository, password, credentials };
}

export interface GitDecoy {
  username: string;
  password: string;
  /** The https (or http) remote the decoy names, with no credentials in it. */
  remote: URL;
}

export function gitDecoyOf(token: Token, context: ArtifactContext): GitDecoy {
  const remote = publicUrlOf(context);
  const prefix = remote.pathname.replace(/\/+$/, '');
  remote.pathname = `${prefix}/${configString(token.config, 'repository', 'platform/infrastructure')}.git`;
  return { username: configString(token.config, 'username', 'deploy-bot'), password: configString(token.config, 'password', ''), remote };
}

export function gitUsage(decoy: GitDecoy, where: string): string {
  return `${where}; a git clone or fetch of ${decoy.remote.href} (or any repository on ${decoy.remote.host}) with it fires the token and records the user "${decoy.username}".`;
}
