/**
 * Synchronous reads of /proc for the verdict path. Each is an open, one or two reads into a
 * buffer kept for the process's life, and a close: 3 to 7 µs for a /proc file (measured), against
 * tens of microseconds queued on libuv's thread pool behind the spool's fsyncs.
 *
 * Synchronous on purpose: the accessor waits for the verdict, and a /proc entry is only
 * guaranteed to describe it while it waits. The price is that a read that stalls stalls the event
 * loop; see src/agent/README.md for which reads can.
 */
import { closeSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';

let buffer = Buffer.allocUnsafe(64 * 1024);
/** /proc/<pid>/cmdline can hold the whole argument area (ARG_MAX, 2 MiB by default). */
const MAX_BYTES = 4 * 1024 * 1024;

/** The file's text (latin1: bytes as they are), or null when it cannot be read. */
export function readProcText(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (buffer.length >= MAX_BYTES) break;
        const bigger = Buffer.allocUnsafe(buffer.length * 4);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n <= 0) break;
      length += n;
    }
    return buffer.toString('latin1', 0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The file's text decoded as UTF-8 (paths and arguments), or '' when unreadable. */
export function readProcUtf8(path: string): string {
  const text = readProcText(path);
  return text === null ? '' : Buffer.from(text, 'latin1').toString('utf8');
}

/** A magic link's target, or '' when it cannot be read. */
export function readProcLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** (dev, ino) of the file a magic link points at; stat follows it without opening the file. */
export function statProcLink(path: string): { dev: number; ino: number } | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino } : null;
}

export function listProcDir(path: string): string[] | null {
  try {
    return readdirSync(path);
  } catch {
    return null;
  }
}
