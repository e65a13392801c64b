/**
 * Which Tetragon policies report to Tripline, and for which token: the TracingPolicies applied to
 * Tetragon, read from a directory, each with its tripline/token label. Only the name and labels
 * are read, so a policy using hooks Tripline's own agent does not run still counts.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { PolicyFileReport } from '../../core/agent-protocol.js';
import { listPolicyFiles, TOKEN_LABEL } from '../../policy/index.js';

export interface LabelledPolicy {
  file: string;
  name: string;
  tokenId: string;
}

export async function labelledPolicies(dir: string): Promise<LabelledPolicy[]> {
  const found: LabelledPolicy[] = [];
  for (const { path } of await listPolicyFiles(dir)) {
    const docs = parseAllDocuments(await readFile(path, 'utf8'));
    for (const doc of Array.isArray(docs) ? docs : []) {
      const value = doc.toJS() as { metadata?: { name?: unknown; labels?: Record<string, unknown> } } | null;
      const name = value?.metadata?.name;
      const token = value?.metadata?.labels?.[TOKEN_LABEL];
      if (typeof name === 'string' && typeof token === 'string') found.push({ file: path, name, tokenId: token.toLowerCase() });
    }
  }
  return found;
}

/** As heartbeats name them: the server takes events only for tokens these name. */
export function labelReports(policies: LabelledPolicy[]): PolicyFileReport[] {
  return policies.map((p) => ({ file: p.file, name: p.name, ok: true, errors: [], warnings: [], tokenIds: [p.tokenId] }));
}
