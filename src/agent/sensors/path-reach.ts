/**
 * Whether a decoy is still reachable at its path: the same directories lead to it, and no mount
 * has been put over it or over any directory on the way. Renames and deletions of the
 * directories are seen at once (their inodes are marked for MOVE_SELF and DELETE_SELF); a mount
 * raises no fanotify event on the inodes it covers, so the mount table is compared whenever the
 * decoy is looked at again (on every tamper event and at every rescan).
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The directories from `dir` up to, not including, the root. */
export function ancestorsOf(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== '/' && d !== '.'; d = dirname(d)) out.push(d);
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescapeOctal = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

const covers = (mountPoint: string, path: string): boolean => mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);

/**
 * The mounts in this mount namespace whose mount point is `path` or a directory above it, as
 * "id:mount point" in table order: any mount added over the path or a directory on it, or removed
 * from one, changes the result.
 */
export function coveringMounts(mountinfo: string, path: string): string {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const id = fields[0];
    const point = fields[4];
    if (!id || point === undefined) continue;
    const mountPoint = unescapeOctal(point);
    if (covers(mountPoint, path)) out.push(`${id}:${mountPoint}`);
  }
  return out.join('\n');
}

export async function readMountinfo(): Promise<string> {
  return readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
}
