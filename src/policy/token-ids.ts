import { candidateTokenIds } from '../core/token-id-candidates.js';
import { TOKEN_LABEL, type PolicySpec } from './model.js';

/**
 * The tokens a policy reports for: the one its tripline/token label names (a decoy's file token),
 * and the web-bug ids in its GetUrl URLs, found the way the trigger plane finds them in a path
 * (seed-style policies fire a web bug instead of posting). The server takes an agent's events
 * only for tokens named by the policies it reports loaded.
 */
export function namedTokenIds(policy: PolicySpec): string[] {
  const ids = new Set<string>();
  const label = policy.labels[TOKEN_LABEL];
  if (label) ids.add(label.toLowerCase());
  for (const hook of policy.hooks) {
    for (const selector of hook.selectors) {
      for (const action of selector.matchActions) {
        if (action.action === 'GetUrl') for (const id of candidateTokenIds(new URL(action.argUrl).pathname)) ids.add(id);
      }
    }
  }
  return [...ids];
}
