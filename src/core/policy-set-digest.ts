import { createHash } from 'node:crypto';

/**
 * Names the set of central policies an agent holds: what it sends when it asks for changes, so
 * the server can tell it also when its set changed without the version moving (its labels did).
 */
export function policySetDigest(policies: readonly { name: string; document: string }[]): string {
  const sorted = [...policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify(sorted.map((p) => [p.name, p.document])))
    .digest('hex');
}
