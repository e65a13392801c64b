import type { FileAccess, FileAccessEvent } from '../core/file-event.js';
import { PolicyError } from './errors.js';
import type { ArgFilter, HookSpec, PolicySpec, Selector, SourcePos } from './model.js';
import { evaluatePolicy, isPathFilter, maskFiltersAllow, type EvaluationContext, type Match } from './evaluate.js';
import { targetCovers } from './watching.js';

/**
 * What the agent must watch for a policy. The sensor marks inodes, so a policy can only watch
 * files it can name: the values of Equal (a file) and Prefix (a file or directory subtree) on
 * the file argument. Postfix and the Not operators narrow a match but cannot name anything to
 * mark; a selector with only those matches accesses to files the policy's other selectors watch.
 */
export interface WatchTarget {
  /** An absolute path as written in the policy. */
  path: string;
  /**
   * exact: the file at `path` (mark its inode and its parent directory, so a replaced file
   * stays watched).
   * prefix: every file whose path starts with `path` as a string. Ending in "/", that is the
   * directory's contents; otherwise it also takes in the entries of the parent directory whose
   * names start with the last component (Tetragon compares strings, not path components).
   */
  match: 'exact' | 'prefix';
  /** Accesses the sensor must report for this path. */
  accesses: FileAccess[];
}

export interface CompiledPolicy extends PolicySpec {
  watches: WatchTarget[];
  /** Union of the accesses of every watch target. */
  accesses: FileAccess[];
  evaluate(event: FileAccessEvent, ctx?: EvaluationContext): Match | null;
}

export interface CompileResult {
  policy?: CompiledPolicy;
  errors: PolicyError[];
  warnings: PolicyError[];
}

const ACCESS_ORDER: readonly FileAccess[] = ['open', 'read', 'write', 'truncate', 'mmap', 'exec'];

export function compilePolicy(spec: PolicySpec): CompileResult {
  const errors: PolicyError[] = [];
  const warnings: PolicyError[] = [];
  const report = (pos: SourcePos, field: string, message: string, list: PolicyError[]) =>
    list.push(new PolicyError(spec.file, pos.line, pos.column, field, message, list === errors ? 'error' : 'warning'));

  const targets = new Map<string, WatchTarget>();
  const unbounded = new Set<FileAccess>();
  const unboundedSelectors: Selector[] = [];
  for (const hook of spec.hooks) {
    if (hook.selectors.length === 0) for (const a of hook.accesses) unbounded.add(a);
    for (const selector of hook.selectors) {
      const accesses = hook.accesses.filter((a) => maskFiltersAllow(selector, hook, a));
      if (accesses.length === 0) {
        report(selector.pos, selector.field, neverMatchesMessage(hook), warnings);
        continue;
      }
      const named = namedTargets(selector, hook);
      if (!named) {
        for (const a of accesses) unbounded.add(a);
        unboundedSelectors.push(selector);
        continue;
      }
      for (const target of named) addTarget(targets, target.path, target.match, accesses);
    }
  }
  if (targets.size === 0) {
    report(
      spec.pos.spec,
      'spec',
      'watches no file: the sensor marks files and directories, so a selector needs matchArgs Equal or Prefix on the file argument (Postfix and Not operators cannot name a file to watch)',
      errors,
    );
    return { errors, warnings };
  }
  for (const selector of unboundedSelectors) {
    report(
      selector.pos,
      selector.field,
      'names no file (no Equal or Prefix on the file argument): it only sees accesses to the files the other selectors watch',
      warnings,
    );
  }
  const watches = [...targets.values()];
  for (const target of watches) target.accesses = sortAccesses([...target.accesses, ...unbounded]);
  const accesses = sortAccesses(watches.flatMap((t) => t.accesses));
  const inScope = (names: readonly string[]) => watches.some((w) => names.some((n) => targetCovers(w, n)));
  const policy: CompiledPolicy = {
    ...spec,
    watches,
    accesses,
    evaluate: (event, ctx) => evaluatePolicy(policy, inScope, event, ctx),
  };
  return { policy, errors, warnings };
}

/** The paths a selector names: its first Equal on the file argument, else its first Prefix. */
function namedTargets(selector: Selector, hook: HookSpec): { path: string; match: WatchTarget['match'] }[] | undefined {
  const pathFilters = selector.matchArgs.filter((f) => isPathFilter(f, hook));
  const pick = (operator: ArgFilter['operator']) => pathFilters.find((f) => f.operator === operator);
  const equal = pick('Equal');
  if (equal) return equal.values.map((path) => ({ path, match: 'exact' }));
  const prefix = pick('Prefix');
  if (prefix) return prefix.values.map((path) => ({ path, match: 'prefix' }));
  return undefined;
}

function addTarget(targets: Map<string, WatchTarget>, path: string, match: WatchTarget['match'], accesses: FileAccess[]): void {
  const key = `${match}:${path}`;
  const existing = targets.get(key);
  if (existing) existing.accesses = sortAccesses([...existing.accesses, ...accesses]);
  else targets.set(key, { path, match, accesses: sortAccesses(accesses) });
}

function sortAccesses(accesses: FileAccess[]): FileAccess[] {
  const set = new Set(accesses);
  return ACCESS_ORDER.filter((a) => set.has(a));
}

function neverMatchesMessage(hook: HookSpec): string {
  return `can never match: its access-mask filter excludes every access ${hook.call} sees (the sensor reports a read as MAY_READ = 4 and a write as MAY_WRITE = 2)`;
}
