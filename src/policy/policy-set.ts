import type { FileAccessEvent } from '../core/file-event.js';
import { PolicyError } from './errors.js';
import type { CompiledPolicy, WatchTarget } from './compile.js';
import type { EvaluationContext, Match } from './evaluate.js';
import { policyKey, type LoadResult } from './load.js';
import { onlyMonitors } from './monitor-only.js';
import { isPodScoped } from './pod-scope.js';
import type { ContainerDecoy } from './container-decoy.js';

const MONITOR_ONLY_CACHE = 1024;

/**
 * The policies loaded from a set of files, kept per file so that a changed or removed file
 * replaces or drops only what it contributed.
 */
export class PolicySet {
  private readonly files = new Map<string, LoadResult>();
  /** Derived from `files`, built again after each change: the sensor asks for both per access. */
  private all: readonly CompiledPolicy[] = [];
  private readonly monitorOnly = new Map<string, boolean>();

  /**
   * Adds or replaces a file's policies. A policy whose name another file already uses is an
   * error for this file, which then contributes nothing; the earlier file keeps its policies.
   * Returns the result with such conflicts added.
   */
  update(result: LoadResult): LoadResult {
    this.files.delete(result.file);
    const taken = new Map<string, string>();
    for (const other of this.files.values()) {
      for (const p of other.policies) taken.set(policyKey(p), other.file);
    }
    const conflicts = result.policies
      .filter((p) => taken.has(policyKey(p)))
      .map(
        (p) =>
          new PolicyError(
            p.file,
            p.pos.name.line,
            p.pos.name.column,
            'metadata.name',
            `policy ${policyKey(p)} is already defined in ${taken.get(policyKey(p))}`,
          ),
      );
    const merged: LoadResult = conflicts.length ? { ...result, policies: [], errors: [...result.errors, ...conflicts] } : result;
    this.files.set(result.file, merged);
    this.changed();
    return merged;
  }

  remove(file: string): void {
    this.files.delete(file);
    this.changed();
  }

  get policies(): readonly CompiledPolicy[] {
    return this.all;
  }

  /** onlyMonitors() over these policies, for a file known by `names`; kept until they change. */
  onlyMonitors(names: readonly string[]): boolean {
    const key = names.join('\0');
    let answer = this.monitorOnly.get(key);
    if (answer === undefined) {
      answer = onlyMonitors(this.all, names);
      // Names come from the accesses (the path each was made by): bounded, whatever they are.
      if (this.monitorOnly.size >= MONITOR_ONLY_CACHE) this.monitorOnly.clear();
      this.monitorOnly.set(key, answer);
    }
    return answer;
  }

  private changed(): void {
    this.all = [...this.files.values()].flatMap((r) => r.policies);
    this.monitorOnly.clear();
  }

  get decoys(): ContainerDecoy[] {
    return [...this.files.values()].flatMap((r) => r.decoys ?? []);
  }

  /**
   * Every path to watch on the host, with the accesses any policy needs on it. Pod-scoped
   * policies watch inside containers only, and so do the policies beside a container decoy (they
   * watch its planted copies, never a host file of the same name).
   */
  watches(): WatchTarget[] {
    const decoyFiles = new Set(this.decoys.map((d) => d.source));
    return mergeTargets(this.policies.filter((p) => !isPodScoped(p.scope) && !decoyFiles.has(p.file)).flatMap((p) => p.watches));
  }

  /** One match per policy at most; policies are independent, as Tetragon's are. */
  evaluate(event: FileAccessEvent, ctx?: EvaluationContext): Match[] {
    return this.policies.map((p) => p.evaluate(event, ctx)).filter((m): m is Match => m !== null);
  }
}

/** One target per path and match kind, with the union of the accesses asked for it. */
export function mergeTargets(targets: readonly WatchTarget[]): WatchTarget[] {
  const merged = new Map<string, WatchTarget>();
  for (const target of targets) {
    const key = `${target.match}:${target.path}`;
    const seen = merged.get(key);
    if (seen) seen.accesses = [...new Set([...seen.accesses, ...target.accesses])];
    else merged.set(key, { ...target, accesses: [...target.accesses] });
  }
  return [...merged.values()];
}
