import type { PolicyFileReport } from '../core/agent-protocol.js';
import { namedTokenIds, type LoadResult } from '../policy/index.js';

/** One report per policy loaded, and one (name null) per file that loaded none: what heartbeats carry. */
export function policyReports(results: LoadResult[]): PolicyFileReport[] {
  return results.flatMap((r): PolicyFileReport[] => {
    const errors = r.errors.map((e) => e.format());
    const warnings = r.warnings.map((e) => e.format());
    if (r.policies.length === 0) return [{ file: r.file, name: null, ok: errors.length === 0, errors, warnings }];
    return r.policies.map((p) => ({ file: r.file, name: p.name, ok: true, errors, warnings, tokenIds: namedTokenIds(p) }));
  });
}
