/**
 * From what policies name to the files to mark. An exact target is its own file. A prefix target
 * is a string prefix, as Tetragon compares paths: "/home/u/.ssh/" is that directory's subtree,
 * "/home/u/.ssh/id_" every entry of .ssh whose name starts with "id_" (and the subtrees of those
 * that are directories). Files appearing later under a prefix are found by the next rescan.
 *
 * Only directory listings are read (readdir opens no watched file, so the agent never waits on
 * its own marks); symbolic links found while walking are not followed.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { WatchTarget } from '../policy/index.js';

export interface ResolvedTarget {
  target: WatchTarget;
  /** Absolute paths of the regular files to watch. */
  files: string[];
  /** Why the target yields nothing (its directory cannot be read), or that it was cut short. */
  error?: string;
}

export interface WalkLimits {
  maxDepth: number;
  maxFiles: number;
}

const DEFAULT_LIMITS: WalkLimits = { maxDepth: 8, maxFiles: 10_000 };

export async function resolveTarget(target: WatchTarget, limits: WalkLimits = DEFAULT_LIMITS): Promise<ResolvedTarget> {
  if (target.match === 'exact') return { target, files: [resolve(target.path)] };
  const prefix = target.path;
  const start = prefix.endsWith('/') ? prefix : dirname(prefix);
  const files: string[] = [];
  let truncated = false;

  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort(byName)) {
      const path = join(dir, entry.name);
      // Entries of the starting directory must extend the prefix; below it everything does.
      if (!path.startsWith(prefix)) continue;
      if (files.length >= limits.maxFiles) {
        truncated = true;
        return;
      }
      if (entry.isFile()) files.push(path);
      else if (entry.isDirectory() && depth < limits.maxDepth) await walk(path, depth + 1).catch(() => undefined);
    }
  };

  try {
    await walk(start, 0);
  } catch (err) {
    return { target, files, error: `cannot list ${start}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (truncated) return { target, files, error: `more than ${limits.maxFiles} files under ${prefix}; only the first are watched` };
  return { target, files };
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
