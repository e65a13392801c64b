import type { Action, ActionName, Match } from '../../policy/index.js';

/** How the server and the alerts name what the agent did: "post", "geturl", "sigkill" ... */
export function reportedName(action: ActionName): string {
  return action.toLowerCase();
}

/** Tetragon's KprobeAction enum names, as its JSON export writes them. */
const KPROBE_ACTIONS: Record<ActionName, string> = {
  Post: 'KPROBE_ACTION_POST',
  NoPost: 'KPROBE_ACTION_NOPOST',
  GetUrl: 'KPROBE_ACTION_GETURL',
  DnsLookup: 'KPROBE_ACTION_DNSLOOKUP',
  Sigkill: 'KPROBE_ACTION_SIGKILL',
  Override: 'KPROBE_ACTION_OVERRIDE',
  Signal: 'KPROBE_ACTION_SIGNAL',
};

/**
 * The one action an exported event names. Tetragon's event carries the action its selector ran
 * in the kernel, and Post is not one of those unless nothing else ran; so the last action other
 * than Post wins, and Post is what is left.
 */
export function kprobeAction(match: Match): string {
  const others = match.actions.filter((a: Action) => a.action !== 'Post');
  const last = others[others.length - 1];
  return KPROBE_ACTIONS[last?.action ?? 'Post'];
}
