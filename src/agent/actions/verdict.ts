/**
 * What the accessing process gets: the enforcing actions of every matching policy, combined.
 * Policies are independent (as in Tetragon), so the strongest outcome wins: a kill beats a deny,
 * a deny beats letting the access through, and every Signal asked for is sent.
 */
import type { AccessRequest } from '../sensors/access-request.js';
import type { Match } from '../../policy/index.js';

export interface Verdict {
  kill: boolean;
  /** errno for Override (Tetragon's argError, negative as written: -1 is EPERM). */
  deny: number | null;
  signals: number[];
}

export function decideVerdict(matches: readonly Match[]): Verdict {
  const verdict: Verdict = { kill: false, deny: null, signals: [] };
  for (const match of matches) {
    for (const action of match.actions) {
      if (action.action === 'Sigkill') verdict.kill = true;
      else if (action.action === 'Override') verdict.deny ??= action.argError;
      else if (action.action === 'Signal') verdict.signals.push(action.argSig);
    }
  }
  return verdict;
}

/** Nothing to enforce: the access goes through and the process is left alone. */
export function isPlainAllow(verdict: Verdict): boolean {
  return !verdict.kill && verdict.deny === null && verdict.signals.length === 0;
}

/**
 * Answers the request. Called before anything slow (export, report, GetUrl) so the process waits
 * only for the decision. An access that was not blocking (a write seen after the fact on tmpfs)
 * can still be signalled; its deny changes nothing.
 */
export function applyVerdict(request: AccessRequest, verdict: Verdict): void {
  for (const signal of new Set(verdict.signals)) request.signal(signal);
  if (verdict.kill) request.kill();
  else if (verdict.deny !== null) request.deny(Math.abs(verdict.deny));
  else request.allow();
}
