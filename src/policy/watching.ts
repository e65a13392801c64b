import type { CompiledPolicy, WatchTarget } from './compile.js';

/** Whether a watch target sees a path: the path itself for an exact target, anything under a prefix. */
export function targetCovers(target: Pick<WatchTarget, 'match' | 'path'>, path: string): boolean {
  return target.match === 'exact' ? path === target.path : path.startsWith(target.path);
}

/**
 * The policies that watch `path`. `covering` (the sensor's view: a prefix covers what is under
 * it) or `exactly` (a policy written for this very file, as `decoy plant` writes them).
 */
export function policiesWatching(policies: readonly CompiledPolicy[], path: string, how: 'covering' | 'exactly' = 'covering'): CompiledPolicy[] {
  return policies.filter((policy) =>
    policy.watches.some((target) => (how === 'exactly' ? target.match === 'exact' && target.path === path : targetCovers(target, path))),
  );
}
