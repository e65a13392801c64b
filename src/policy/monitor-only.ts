import type { CompiledPolicy } from './compile.js';
import { ENFORCING_ACTIONS, type ActionName } from './model.js';
import { targetCovers } from './watching.js';

/** Actions that neither change an access's verdict nor touch the process (Tetragon's Post never
 * blocks either): with only these, every verdict on a file is allow. */
const MONITORING: ReadonlySet<ActionName> = new Set(['Post', 'NoPost', 'GetUrl', 'DnsLookup']);

/**
 * True when every policy that watches a file known by `names` only monitors it: no hook, no
 * selector of any of them can kill, deny or signal (monitor mode drops those actions). Judged
 * over every hook and selector, whatever it matches (access, binary, parent, pid), so no later
 * access to the file, by anyone, can draw another verdict than allow until the policies change.
 */
export function onlyMonitors(policies: readonly CompiledPolicy[], names: readonly string[]): boolean {
  for (const policy of policies) {
    if (!policy.watches.some((w) => names.some((n) => targetCovers(w, n)))) continue;
    const dropped = (action: ActionName) => policy.mode === 'monitor' && ENFORCING_ACTIONS.includes(action);
    for (const hook of policy.hooks) {
      for (const selector of hook.selectors) {
        if (selector.matchActions.some((a) => !MONITORING.has(a.action) && !dropped(a.action))) return false;
      }
    }
  }
  return true;
}
