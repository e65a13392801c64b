import { GIT_DECOY_FIELDS, gitDecoyOf, gitUsage, prepareGitDecoy } from './git-decoy.js';
import { describeCredentialHit } from './hits/credential.js';
import type { TokenKind } from './kind.js';

/** A line for git's credential store (~/.git-credentials) for a remote on Tripline. */
export const gitCredentialsTokenKind: TokenKind = {
  kind: 'git-credentials',
  title: 'Git credentials: a ~/.git-credentials line that alerts when git uses it',
  describeHit: describeCredentialHit,
  optionFields: GIT_DECOY_FIELDS,
  prepare: (id, input) => prepareGitDecoy(id, input),
  artifact(token, context) {
    const decoy = gitDecoyOf(token, context);
    const line = new URL(decoy.remote.href);
    line.username = decoy.username;
    line.password = decoy.password;
    return {
      file: { name: '.git-credentials', content: `${line.href}\n`, mode: 0o600 },
      usage: gitUsage(decoy, 'Plant it as ~/.git-credentials (git config credential.helper store)'),
    };
  },
};
