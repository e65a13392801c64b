/**
 * Writing and removing a file inside a container's root without ever following a symbolic link.
 *
 * The container's root is reached through /proc/<pid>/root of its init process (so in the
 * container's mount namespace, with its mounts). From there the path is walked one component at
 * a time, each opened with O_NOFOLLOW | O_DIRECTORY relative to the directory before it (through
 * /proc/self/fd/<fd>/<name>, which resolves the fd and then looks up only <name>): a symbolic
 * link anywhere on the way fails the walk instead of leading out of the container, and ".." is
 * refused before the walk starts. This is stricter than openat2's RESOLVE_IN_ROOT (which follows
 * links, confined to the root) and needs no native code and no binary inside the container
 * (nsenter would need one there). Missing parent directories are created root-owned, 0700.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';

export class PlantRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlantRefused';
  }
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

function components(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  if (!path.startsWith('/') || parts.length === 0 || parts.some((p) => p === '.' || p === '..')) {
    throw new PlantRefused(`${JSON.stringify(path)} is not an absolute path without "." and ".."`);
  }
  return parts;
}

const under = (dir: FileHandle, name: string): string => `/proc/self/fd/${dir.fd}/${name}`;

/** Opens the parent directory of `path` inside `root`, creating what is missing when `create`. */
async function openParent(root: string, path: string, create: boolean): Promise<{ dir: FileHandle; name: string }> {
  const parts = components(path);
  const name = parts.pop()!;
  let dir = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const part of parts) {
      if (create)
        await mkdir(under(dir, part), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
      const next = await open(under(dir, part), DIR_FLAGS).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ELOOP' || err.code === 'ENOTDIR') throw new PlantRefused(`${part} on the way to ${path} is a symbolic link or not a directory`);
        throw err;
      });
      await dir.close();
      dir = next;
    }
    return { dir, name };
  } catch (err) {
    await dir.close();
    throw err;
  }
}

export interface PlantedFile {
  dev: number;
  ino: number;
  /** False when an identical file was already there (planted before the agent restarted). */
  created: boolean;
}

/**
 * Writes `content` at `path` inside `root` (mode and owner as given). An existing file with the
 * same content is taken as an earlier copy; anything else there is left alone and refused.
 */
export async function plantInRoot(root: string, path: string, content: string, owner: { uid: number; gid: number; mode: number }): Promise<PlantedFile> {
  const { dir, name } = await openParent(root, path, true);
  try {
    let file: FileHandle;
    try {
      file = await open(under(dir, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, owner.mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return await existingCopy(dir, name, path, content);
    }
    try {
      await file.writeFile(content);
      await file.chown(owner.uid, owner.gid);
      await file.chmod(owner.mode);
      await file.sync();
      const st = await file.stat();
      return { dev: st.dev, ino: st.ino, created: true };
    } finally {
      await file.close();
    }
  } finally {
    await dir.close();
  }
}

async function existingCopy(dir: FileHandle, name: string, path: string, content: string): Promise<PlantedFile> {
  const st: Stats = await lstat(under(dir, name));
  if (!st.isFile()) throw new PlantRefused(`${path} exists in the container and is not a regular file`);
  const file = await open(under(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if ((await file.readFile('utf8')) !== content) throw new PlantRefused(`${path} exists in the container and is not this decoy; left alone`);
  } finally {
    await file.close();
  }
  return { dev: st.dev, ino: st.ino, created: false };
}

/** Removes the copy at `path` inside `root` if it is still the inode that was planted. */
export async function removeFromRoot(root: string, path: string, ino: number): Promise<boolean> {
  const { dir, name } = await openParent(root, path, false);
  try {
    const st = await lstat(under(dir, name)).catch(() => null);
    if (!st?.isFile() || st.ino !== ino) return false;
    await unlink(under(dir, name));
    return true;
  } finally {
    await dir.close();
  }
}
