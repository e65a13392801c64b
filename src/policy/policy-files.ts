import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which files in a policy directory are policies, for every reader (the agent, `decoy plant`):
 * names ending in .yaml or .yml that are not hidden (editors' lock and backup files, and the
 * temporary files of an atomic write, start with a dot), and that are regular files once
 * symlinks are followed (a ConfigMap mount is a tree of symlinks).
 */
export function isPolicyFileName(name: string): boolean {
  return /^[^.].*\.ya?ml$/.test(name);
}

export interface PolicyFileEntry {
  path: string;
  /** The file's stat, symlinks followed: lets a reader see whether it changed since it was loaded. */
  stats: Stats;
}

/** The policy files in `dir`, in name order. Throws when the directory cannot be read. */
export async function listPolicyFiles(dir: string): Promise<PolicyFileEntry[]> {
  const names = (await readdir(dir)).filter(isPolicyFileName).sort();
  const found: PolicyFileEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    // Gone between readdir and stat, a dangling link or a directory: not a policy file.
    const stats = await stat(path).catch(() => null);
    if (stats?.isFile()) found.push({ path, stats });
  }
  return found;
}
