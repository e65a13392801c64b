/**
 * Looks at an accessor's open files through /proc/<pid>/fd and fdinfo. stat() on the magic links (synchronous: part of the verdict path)
 * follows them to the file without opening it, so it raises no fanotify event of its own.
 */
import { listProcDir, readProcText, statProcLink } from './proc-read.js';
import type { FdProbe } from './access-kind.js';

function sameFile(link: string, dev: number, ino: number): boolean {
  try {
    const st = statProcLink(link);
    return st !== null && st.dev === dev && st.ino === ino;
  } catch {
    return false;
  }
}

/** The "flags:" line (octal), as open(2) got them. */
export function fdinfoFlags(fdinfo: string): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(fdinfo);
  return m ? parseInt(m[1] ?? '0', 8) : 0;
}

/** Access mode bits of the flags: O_RDONLY, O_WRONLY or O_RDWR. */
export function fdinfoAccessMode(fdinfo: string): number {
  return fdinfoFlags(fdinfo) & 0o3;
}

export function procFdProbe(pid: number, dev: number, ino: number): FdProbe {
  return {
    refersToFile: (fd) => fd >= 0 && sameFile(`/proc/${pid}/fd/${fd}`, dev, ino),
    holdsWritable() {
      for (const fd of listProcDir(`/proc/${pid}/fd`) ?? []) {
        if (!sameFile(`/proc/${pid}/fd/${fd}`, dev, ino)) continue;
        const info = readProcText(`/proc/${pid}/fdinfo/${fd}`) ?? '';
        if (fdinfoAccessMode(info) !== 0) return true;
      }
      return false;
    },
  };
}
