/**
 * realpath() for a path inside a container, as the container resolves it. The kernel resolves
 * /proc/<pid>/root/... by jumping into the container's root and then following any absolute
 * symbolic link against the *agent's* root, so a container whose /etc/passwd is a link to
 * /etc/shadow would have the agent mark the host's /etc/shadow. Here every link is read and
 * followed inside the container's root instead (absolute targets restart at that root, ".." never
 * climbs above it), as openat2's RESOLVE_IN_ROOT does; the result has no symbolic link left in it,
 * so the kernel's own walk of it stays inside the container.
 *
 * A container can still swap a directory for a link between this walk and the mark (the mark then
 * fails, or lands on the file the container pointed at inside its own root).
 */
import { lstat, readlink } from 'node:fs/promises';

const MAX_LINKS = 40;
const IN_ROOT = /^(\/proc\/\d+\/root)(\/.*)?$/;

export class ResolveError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ResolveError';
  }
}

/** `/proc/<pid>/root/<path>` with every symbolic link resolved inside that root. */
export function realpathInContainer(hostPath: string): Promise<string> {
  const m = IN_ROOT.exec(hostPath);
  if (!m) return Promise.reject(new ResolveError(`${hostPath} is not under /proc/<pid>/root`, 'EINVAL'));
  return resolveInRoot(m[1]!, m[2] ?? '/');
}

/** `root` + `path`, every symbolic link on the way followed inside `root`. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let pending = path.split('/').filter((p) => p !== '');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `${root}/${[...resolved, part].join('/')}`;
    const st = await lstat(candidate);
    if (!st.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new ResolveError(`too many symbolic links under ${root}${path}`, 'ELOOP');
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending = [...target.split('/').filter((p) => p !== ''), ...pending];
  }
  return `${root}/${resolved.join('/')}`;
}
