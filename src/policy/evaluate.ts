import type { FileAccess, FileAccessEvent, PodInfo, ProcessInfo } from '../core/file-event.js';
import {
  ENFORCING_ACTIONS,
  type Action,
  type ArgFilter,
  type ArgType,
  type BinaryFilter,
  type HookSpec,
  type PidFilter,
  type PolicySpec,
  type Selector,
} from './model.js';
import { isPathValued, maskForAccess } from './hooks.js';
import { scopeApplies } from './pod-scope.js';

/**
 * Selector evaluation, with Tetragon's semantics: filters within a selector AND, values within a
 * filter OR (Not operators: none may match), selectors OR with the first match winning, and a
 * selector without matchActions means Post.
 *
 * Files are identified by inode, not by name. The agent marks the inodes it resolved from the
 * policies' paths; when an event arrives it tells the evaluator every path it knows that inode
 * by (`EvaluationContext.paths`). Path operators then match if any of the file's names
 * satisfies them, so a hard link, a bind mount or a container's view of a decoy still matches
 * an Equal on the decoy's path. Not operators are exact negations over the same names.
 */

export interface EvaluationContext {
  /**
   * Names of the event's file in the policies' terms: each policy path the agent resolved to the
   * event's (dev, ino), and for a file found under a watched directory, that directory's policy
   * path joined with the entry's name. The event's own path is always added.
   */
  paths?: readonly string[];
  /**
   * (dev, ino) of the file a path names now, or null. With it, matchBinaries and
   * matchParentBinaries In/NotIn compare the running executable's identity as well as its path, so
   * a bind mount, a hard link or a copy under a listed name is not the listed binary. Without it
   * (or when either identity is unknown), paths alone decide.
   */
  fileIdentity?: (path: string) => FileIdentity | null;
  /**
   * The pod whose planted container decoy copy the file is, when it is one. A host process (in no
   * container) has no pod for a pod-scoped policy to select, so it is judged by the copy's pod:
   * reaching into a container's root for its decoy is what a node-level intruder does, and a
   * copy exists only in pods its decoy selects. A process in a container is judged by its own pod.
   */
  copyPod?: PodInfo;
}

export interface FileIdentity {
  dev: number;
  ino: number;
}

/** An argument as the hook saw it, for the Tetragon-style export. */
export interface MatchArg {
  index: number;
  type: ArgType;
  label?: string;
  /** For file, path and fd arguments: the path the kernel resolved for this access. */
  path?: string;
  /** For the access mask: MAY_READ (4) or MAY_WRITE (2). Absent when not observable. */
  value?: number;
}

export interface Match {
  policy: string;
  namespace?: string;
  /** The hook's kernel function or LSM hook: Tetragon's `function_name`. */
  hook: string;
  hookKind: HookSpec['kind'];
  /** Position of the hook among the policy's kprobes then lsmhooks. */
  hookIndex: number;
  /** Index of the matching selector; null for a hook without selectors (it matches all). */
  selector: number | null;
  /** Actions to run. Post is included unless NoPost was given, as in Tetragon. */
  actions: Action[];
  /** Enforcing actions the selector names but monitor mode left out. */
  suppressed: Action[];
  args: MatchArg[];
  message?: string;
  tags: string[];
}

/** True when some name of the file is in this policy's watched set. */
export type ScopeCheck = (names: readonly string[]) => boolean;

export function evaluatePolicy(policy: PolicySpec, inScope: ScopeCheck, event: FileAccessEvent, ctx: EvaluationContext = {}): Match | null {
  const names = [...new Set([...(ctx.paths ?? []), event.path])];
  // Another policy's files are marked too; a selector without a path filter must not see them.
  if (!inScope(names)) return null;
  const hostProcess = event.process.containerId === null && event.process.pod === undefined;
  if (!scopeApplies(policy.scope, event.process.pod ?? (hostProcess ? ctx.copyPod : undefined))) return null;
  for (const [hookIndex, hook] of policy.hooks.entries()) {
    if (!hook.accesses.includes(event.access)) continue;
    if (hook.selectors.length === 0) return buildMatch(policy, hook, hookIndex, null, event);
    const selector = hook.selectors.findIndex((s) => selectorMatches(s, hook, event, names, ctx.fileIdentity));
    if (selector >= 0) return buildMatch(policy, hook, hookIndex, selector, event);
  }
  return null;
}

export function selectorMatches(
  selector: Selector,
  hook: HookSpec,
  event: FileAccessEvent,
  names: readonly string[],
  identity?: EvaluationContext['fileIdentity'],
): boolean {
  const parent = event.parent ? [event.parent] : [];
  return (
    selector.matchPIDs.every((f) => pidMatches(f, event.process, event.parent)) &&
    selector.matchBinaries.every((f) => binaryMatches(f, f.followChildren ? [event.process, ...parent] : [event.process], identity)) &&
    selector.matchParentBinaries.every((f) => binaryMatches(f, parent, identity)) &&
    selector.matchArgs.every((f) => argMatches(f, hook, event.access, names))
  );
}

/** Whether the selector's access-mask filters let this access through; path filters aside. */
export function maskFiltersAllow(selector: Selector, hook: HookSpec, access: FileAccess): boolean {
  return selector.matchArgs.every((f) => isPathFilter(f, hook) || intMatches(f, maskForAccess(access)));
}

export function isPathFilter(filter: ArgFilter, hook: HookSpec): boolean {
  const arg = hook.args.find((a) => a.index === filter.index);
  return arg !== undefined && isPathValued(arg.type);
}

function argMatches(filter: ArgFilter, hook: HookSpec, access: FileAccess, names: readonly string[]): boolean {
  if (isPathFilter(filter, hook)) return pathMatches(filter, names);
  // Reading guarantees the only integer argument that can be filtered is the access mask.
  return intMatches(filter, maskForAccess(access));
}

function pathMatches(filter: ArgFilter, names: readonly string[]): boolean {
  return stringsMatch(filter.operator, names, filter.values);
}

const STRING_TESTS = {
  equal: (candidate: string, value: string) => candidate === value,
  prefix: (candidate: string, value: string) => candidate.startsWith(value),
  postfix: (candidate: string, value: string) => candidate.endsWith(value),
};

/** Path and binary operators alike: In is Equal by another name, and each Not is the negation. */
const STRING_OPERATORS: Record<string, { test: keyof typeof STRING_TESTS; negate: boolean }> = {
  Equal: { test: 'equal', negate: false },
  In: { test: 'equal', negate: false },
  NotEqual: { test: 'equal', negate: true },
  NotIn: { test: 'equal', negate: true },
  Prefix: { test: 'prefix', negate: false },
  NotPrefix: { test: 'prefix', negate: true },
  Postfix: { test: 'postfix', negate: false },
  NotPostfix: { test: 'postfix', negate: true },
};

function stringsMatch(operator: string, candidates: readonly string[], values: readonly string[]): boolean {
  const op = STRING_OPERATORS[operator];
  if (!op) return false;
  const test = STRING_TESTS[op.test];
  const found = candidates.some((c) => values.some((v) => test(c, v)));
  return op.negate ? !found : found;
}

function intMatches(filter: ArgFilter, value: number | undefined): boolean {
  if (value === undefined) return false;
  switch (filter.operator) {
    case 'Equal':
      return filter.numbers.includes(value);
    case 'NotEqual':
      return !filter.numbers.includes(value);
    case 'Mask':
      return filter.numbers.some((m) => (value & m) !== 0);
    default:
      return false;
  }
}

/** followChildren can only look one generation up: the sensor reports the parent, not the tree. */
function binaryMatches(filter: BinaryFilter, processes: readonly ProcessInfo[], identity: EvaluationContext['fileIdentity']): boolean {
  const op = STRING_OPERATORS[filter.operator];
  if (!op) return false;
  const test = STRING_TESTS[op.test];
  const found = processes.some((p) => filter.values.some((v) => test(p.binary, v) && (op.test !== 'equal' || sameBinary(p, v, identity))));
  return op.negate ? !found : found;
}

/** The process runs the file `listed` names (when both identities can be told). */
function sameBinary(process: ProcessInfo, listed: string, identity: EvaluationContext['fileIdentity']): boolean {
  const running = process.binaryFile;
  const file = running && identity ? identity(listed) : null;
  return !running || !file || (running.dev === file.dev && running.ino === file.ino);
}

/**
 * followForks: Tetragon follows every descendant of a matching pid; the sensor knows only the
 * parent, so the process matches if it or its parent has the pid.
 * isNamespacePID: the sensor reports host pids. On the host they are the namespace pids; inside
 * a container the namespace pid is unknown, so In does not match and NotIn does (reporting too
 * much rather than missing an access).
 */
function pidMatches(filter: PidFilter, process: ProcessInfo, parent: ProcessInfo | null): boolean {
  const pidOf = (p: ProcessInfo) => (filter.isNamespacePID && p.containerId !== null ? undefined : p.pid);
  const pids = [pidOf(process)];
  if (filter.followForks && parent) pids.push(pidOf(parent));
  const found = pids.some((pid) => pid !== undefined && filter.values.includes(pid));
  return filter.operator === 'In' ? found : !found;
}

const IMPLICIT_POST: Action = { action: 'Post', rateLimitScope: 'thread' };

/** The actions as Tetragon runs them: Post is implied unless Post or NoPost is written. */
export function withImplicitPost(written: readonly Action[]): Action[] {
  const posts = written.some((a) => a.action === 'Post' || a.action === 'NoPost');
  return posts ? [...written] : [...written, IMPLICIT_POST];
}

function buildMatch(policy: PolicySpec, hook: HookSpec, hookIndex: number, selector: number | null, event: FileAccessEvent): Match {
  const all = withImplicitPost(selector === null ? [] : hook.selectors[selector]!.matchActions);
  const enforcing = (a: Action) => ENFORCING_ACTIONS.includes(a.action);
  const monitor = policy.mode === 'monitor';
  const match: Match = {
    policy: policy.name,
    hook: hook.call,
    hookKind: hook.kind,
    hookIndex,
    selector,
    actions: all.filter((a) => a.action !== 'NoPost' && !(monitor && enforcing(a))),
    suppressed: monitor ? all.filter(enforcing) : [],
    args: hook.args.filter((a) => a.type !== 'nop').map((a) => matchArg(a, event)),
    tags: hook.tags,
  };
  if (policy.namespace !== undefined) match.namespace = policy.namespace;
  if (hook.message !== undefined) match.message = hook.message;
  return match;
}

function matchArg(arg: HookSpec['args'][number], event: FileAccessEvent): MatchArg {
  const out: MatchArg = { index: arg.index, type: arg.type };
  if (arg.label !== undefined) out.label = arg.label;
  if (isPathValued(arg.type)) {
    out.path = event.path;
    return out;
  }
  // Only hooks with a mask argument see reads and writes, so a mask here belongs to that argument.
  const mask = maskForAccess(event.access);
  if (mask !== undefined) out.value = mask;
  return out;
}
