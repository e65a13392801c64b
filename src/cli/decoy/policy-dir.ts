import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { listPolicyFiles, loadPolicyFile, policiesWatching as watchingIn, TOKEN_LABEL } from '../../policy/index.js';
import { writeFileAtomically } from './write-file.js';

export const DEFAULT_POLICY_DIR = '/etc/tripline/policies';

/** A policy file in the directory that watches a given path for a token. */
export interface WatchingPolicy {
  file: string;
  tokenId: string;
}

export function policyFileName(tokenId: string): string {
  return `tripline-${tokenId}.yaml`;
}

/**
 * Tripline policies (those labelled with a token) in `dir` that watch exactly `path`: how
 * `decoy plant` tells a decoy it planted before from somebody's real file.
 */
export async function policiesWatching(dir: string, path: string): Promise<WatchingPolicy[]> {
  // No directory yet: nothing planted before (the policy write creates it).
  const files = await listPolicyFiles(dir).catch(() => []);
  const found: WatchingPolicy[] = [];
  for (const { path: file } of files) {
    const result = await loadPolicyFile(file);
    for (const policy of watchingIn(result.policies, path, 'exactly')) {
      const tokenId = policy.labels[TOKEN_LABEL];
      if (tokenId) found.push({ file, tokenId });
    }
  }
  return found;
}

/** Writes the token's policy into the directory the agent watches; returns its path. */
export function writePolicy(dir: string, tokenId: string, text: string): string {
  const file = join(dir, policyFileName(tokenId));
  writeFileAtomically(file, text, { mode: 0o600, replace: true });
  return file;
}

/** Removes policy files left by an earlier decoy at the same path, so one access is one hit. */
export function removePolicies(files: string[]): void {
  for (const file of files) unlinkSync(file);
}
