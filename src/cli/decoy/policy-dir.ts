import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicyFile, TOKEN_LABEL } from '../../policy/index.js';
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
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^[^.].*\.ya?ml$/.test(name));
  } catch {
    return [];
  }
  const found: WatchingPolicy[] = [];
  for (const name of names) {
    const result = await loadPolicyFile(join(dir, name));
    for (const policy of result.policies) {
      const tokenId = policy.labels[TOKEN_LABEL];
      if (tokenId && policy.watches.some((w) => w.match === 'exact' && w.path === path)) found.push({ file: join(dir, name), tokenId });
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
