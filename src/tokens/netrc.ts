import { GIT_DECOY_FIELDS, gitDecoyOf, gitUsage, prepareGitDecoy } from './git-decoy.js';
import { describeCredentialHit } from './hits/credential.js';
import type { TokenKind } from './kind.js';

/** A ~/.netrc entry for the Tripline host: git, curl -n and many HTTP libraries read it. */
export const netrcTokenKind: TokenKind = {
  kind: 'netrc',
  title: 'netrc: a ~/.netrc entry that alerts when git, curl or another client uses it',
  describeHit: describeCredentialHit,
  optionFields: GIT_DECOY_FIELDS,
  prepare: (id, input) => prepareGitDecoy(id, input),
  artifact(token, context) {
    const decoy = gitDecoyOf(token, context);
    // netrc names a machine by host name only; the port is not part of the entry.
    return {
      file: { name: '.netrc', content: `machine ${decoy.remote.hostname} login ${decoy.username} password ${decoy.password}\n`, mode: 0o600 },
      usage: gitUsage(decoy, 'Plant it as ~/.netrc'),
    };
  },
};
