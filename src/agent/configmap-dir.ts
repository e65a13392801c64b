/**
 * A policy directory mounted from a Kubernetes ConfigMap. The kubelet writes each version of the
 * ConfigMap into a new hidden directory (..2026_01_31_12_00_00.123456789), then points the
 * `..data` symlink at it with one rename; the visible names are symlinks through `..data`. Reading
 * them one by one could mix two versions if a swap lands mid-scan, so when `..data` exists the
 * agent resolves it once and reads every file from that one (never rewritten) directory. The `..`
 * entries are hidden names and never taken as policies (isPolicyFileName).
 */
import { readlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { listPolicyFiles, type PolicyFileEntry } from '../policy/index.js';

export interface PolicySnapshot {
  /** Where the files are read from: the directory itself, or the version `..data` points at. */
  readFrom: string;
  /** Files by the name the agent reports them under (in the directory itself). */
  entries: (PolicyFileEntry & { name: string })[];
  /** True when read through `..data`: the version's files never change, so content decides. */
  configMap: boolean;
}

export async function policySnapshot(dir: string): Promise<PolicySnapshot> {
  const target = await readlink(join(dir, '..data')).catch(() => null);
  const readFrom = target === null ? dir : isAbsolute(target) ? target : join(dir, target);
  const files = await listPolicyFiles(readFrom);
  return {
    readFrom,
    configMap: target !== null,
    entries: files.map((f) => ({ ...f, name: join(dir, f.path.slice(readFrom.length + 1)) })),
  };
}
