import type { FileAccess } from '../core/file-event.js';
import type { PolicyError } from './errors.js';
import type { ActionName, PolicyKind, PolicyMode } from './model.js';
import type { WatchTarget } from './compile.js';
import { loadPolicyFile } from './load.js';
import { PolicySet } from './policy-set.js';
import { withImplicitPost } from './evaluate.js';

export interface PolicySummary {
  file: string;
  name: string;
  namespace?: string;
  kind: PolicyKind;
  mode: PolicyMode;
  /** Kernel functions and LSM hooks, in order. */
  hooks: string[];
  watches: WatchTarget[];
  accesses: FileAccess[];
  /** Every action any selector names, Post included where it is implicit. */
  actions: ActionName[];
}

export interface CheckResult {
  ok: boolean;
  errors: PolicyError[];
  warnings: PolicyError[];
  policies: PolicySummary[];
}

/**
 * Validates policy files as the agent would load them, names clashing across files included.
 * For `tripline policy check FILE...`: print each error's format(), exit non-zero unless ok.
 */
export async function checkPolicyFiles(paths: string[]): Promise<CheckResult> {
  const set = new PolicySet();
  const errors: PolicyError[] = [];
  const warnings: PolicyError[] = [];
  for (const path of paths) {
    const result = set.update(await loadPolicyFile(path));
    errors.push(...result.errors);
    warnings.push(...result.warnings);
  }
  const policies = set.policies.map((p): PolicySummary => {
    const actions = new Set<ActionName>();
    for (const hook of p.hooks) {
      const lists = hook.selectors.length === 0 ? [[]] : hook.selectors.map((s) => s.matchActions);
      for (const list of lists) for (const a of withImplicitPost(list)) actions.add(a.action);
    }
    const summary: PolicySummary = {
      file: p.file,
      name: p.name,
      kind: p.kind,
      mode: p.mode,
      hooks: p.hooks.map((h) => h.call),
      watches: p.watches,
      accesses: p.accesses,
      actions: [...actions],
    };
    if (p.namespace !== undefined) summary.namespace = p.namespace;
    return summary;
  });
  return { ok: errors.length === 0, errors, warnings, policies };
}
