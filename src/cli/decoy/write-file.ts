import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TriplineError } from '../../core/errors.js';

/** A decoy or policy that could not be written where it was asked for. */
export class PlantError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, 'plant_failed', 500, context);
  }
}

export interface WriteOptions {
  mode: number;
  /** Replace a file already at the path (atomically); otherwise an existing file is an error. */
  replace: boolean;
  /** Give the file to the owner of its directory (a key in /home/alice/.ssh owned by alice). */
  ownerFromDirectory?: boolean;
}

/**
 * Writes the whole file under a temporary name in the same directory, then puts it in place in
 * one step: with link() when nothing may be there (fails instead of clobbering a file that
 * appeared meanwhile), with rename() when replacing. A watcher therefore never sees a half
 * written decoy or policy.
 */
export function writeFileAtomically(path: string, content: string, options: WriteOptions): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new PlantError(`cannot create ${dir}: ${(error as Error).message}`, { path });
  }
  // A dot name and a suffix no policy loader reads, so the agent ignores it while it exists.
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, 'wx', options.mode);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.ownerFromDirectory && process.getuid?.() === 0) {
      const owner = statSync(dir);
      chownSync(temp, owner.uid, owner.gid);
    }
    if (options.replace) {
      renameSync(temp, path);
    } else {
      linkSync(temp, path);
      unlinkSync(temp);
    }
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already moved into place, or never created
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new PlantError(`${path} already exists`, { path });
    throw new PlantError(`cannot write ${path}: ${(error as Error).message}`, { path });
  }
}
