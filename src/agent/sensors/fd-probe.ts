/**
 * Looks at an accessor's open files through /proc/<pid>/fd and fdinfo. stat() on the magic links
 * follows them to the file without opening it, so it raises no fanotify event of its own.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import type { FdProbe } from './access-kind.js';

async function sameFile(link: string, dev: number, ino: number): Promise<boolean> {
  const st = await stat(link).catch(() => null);
  return st !== null && st.dev === dev && st.ino === ino;
}

/** Access mode bits of the "flags:" line (octal), as open(2) got them. */
export function fdinfoAccessMode(fdinfo: string): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(fdinfo);
  return m ? parseInt(m[1] ?? '0', 8) & 0o3 : 0;
}

export function procFdProbe(pid: number, dev: number, ino: number): FdProbe {
  return {
    refersToFile: (fd) => (fd >= 0 ? sameFile(`/proc/${pid}/fd/${fd}`, dev, ino) : Promise.resolve(false)),
    async holdsWritable() {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        if (!(await sameFile(`/proc/${pid}/fd/${fd}`, dev, ino))) continue;
        const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
        if (fdinfoAccessMode(info) !== 0) return true;
      }
      return false;
    },
  };
}
