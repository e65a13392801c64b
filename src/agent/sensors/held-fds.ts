/**
 * Descriptors already open on a decoy when its watch began. The kernel decides at open time
 * whether a file raises permission events, so reads and writes through such a descriptor are never
 * reported; the only way to know of them is to look: /proc/<pid>/fd of every process, each link
 * followed with stat (which opens nothing) and compared by (dev, ino). O_PATH descriptors (the
 * agent's own marks, and anyone's) cannot read or write and are left out.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { fdinfoAccessMode, fdinfoFlags } from './fd-probe.js';

const O_PATH = 0o10000000;

export interface HeldFd {
  pid: number;
  fd: number;
  /** "dev:ino" of the decoy held. */
  key: string;
  /** The name the descriptor was opened by. */
  path: string;
  /** O_RDONLY (0), O_WRONLY (1) or O_RDWR (2). */
  accessMode: number;
}

/** Every descriptor of another process on an inode in `watched` ("dev:ino" keys). */
export async function findHeldFds(watched: ReadonlySet<string>, self = process.pid): Promise<HeldFd[]> {
  if (watched.size === 0) return [];
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).map(Number);
  const found: HeldFd[] = [];
  await Promise.all(
    pids
      .filter((pid) => pid !== self)
      .map(async (pid) => {
        const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
        for (const name of fds) {
          const link = `/proc/${pid}/fd/${name}`;
          const st = await stat(link).catch(() => null);
          if (!st || !watched.has(`${st.dev}:${st.ino}`)) continue;
          const fdinfo = await readFile(`/proc/${pid}/fdinfo/${name}`, 'utf8').catch(() => '');
          if (fdinfoFlags(fdinfo) & O_PATH) continue;
          const path = await readlink(link).catch(() => '');
          found.push({ pid, fd: Number(name), key: `${st.dev}:${st.ino}`, path, accessMode: fdinfoAccessMode(fdinfo) });
        }
      }),
  );
  return found.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
}
