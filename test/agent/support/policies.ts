/** Policy YAML for the agent tests: the tutorial's shape, with the parts a test varies. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { permissionPolicyYaml } from '../../policy/helpers.js';

/** The tutorial's policy as the fixture holds it, with only the watched path and the URL swapped. */
export async function tutorialPolicy(path: string, url: string): Promise<string> {
  const text = await readFile(fileURLToPath(new URL('../../policy/fixtures/tutorial.yaml', import.meta.url)), 'utf8');
  return text.replace('/tmp/tripline-scratch/passwd', path).replace('http://127.0.0.1:8999/canary', url);
}

export interface PolicyParts {
  name: string;
  path: string;
  /** "4" reads, "2" writes. */
  mask: '2' | '4';
  /** Extra selector lines (matchBinaries ...), indented to sit in the selector. */
  extra?: string;
  /** matchActions entries, e.g. ['action: Sigkill']. Omitted: none (Post is implied). */
  actions?: string[];
  labels?: Record<string, string>;
}

/** security_file_permission on one file and one access mask, with the given extras. */
export function policy(p: PolicyParts): string {
  const actions = p.actions ? `      matchActions:\n${p.actions.map((a) => `      - ${a}`).join('\n')}\n` : '';
  const selector = `    - matchArgs:
      - index: 0
        operator: Equal
        values:
        - "${p.path}"
      - index: 1
        operator: Equal
        values:
        - "${p.mask}"
${p.extra ?? ''}${actions}`;
  const yaml = permissionPolicyYaml(selector, '', p.name);
  if (!p.labels) return yaml;
  const labels = Object.entries(p.labels)
    .map(([k, v]) => `\n    ${k}: "${v}"`)
    .join('');
  return yaml.replace(/^ {2}name: .*$/m, (line) => `${line}\n  labels:${labels}`);
}
