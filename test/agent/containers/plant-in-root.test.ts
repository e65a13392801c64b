/**
 * Planting inside a container's root never follows a symbolic link: a link anywhere on the way,
 * or at the file itself, fails the plant and nothing is written outside the root. Runs on a
 * plain directory standing in for /proc/<pid>/root, as any user.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PlantRefused, plantInRoot, removeFromRoot } from '../../../src/agent/containers/plant-in-root.js';

let dir: string;
let root: string;
let outside: string;
const owner = () => ({ uid: process.getuid!(), gid: process.getgid!(), mode: 0o600 });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tripline-plant-'));
  root = join(dir, 'root');
  outside = join(dir, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('creates missing parents 0700 and the file with its mode; a second plant of the same decoy is the same copy', async () => {
  const first = await plantInRoot(root, '/home/app/.ssh/id_ed25519', 'KEY', owner());
  assert.equal(first.created, true);
  assert.equal(readFileSync(join(root, 'home/app/.ssh/id_ed25519'), 'utf8'), 'KEY');
  assert.equal(statSync(join(root, 'home/app/.ssh/id_ed25519')).mode & 0o777, 0o600);
  assert.equal(statSync(join(root, 'home/app')).mode & 0o777, 0o700);
  const again = await plantInRoot(root, '/home/app/.ssh/id_ed25519', 'KEY', owner());
  assert.deepEqual([again.created, again.ino], [false, first.ino]);
  await assert.rejects(plantInRoot(root, '/home/app/.ssh/id_ed25519', 'OTHER', owner()), PlantRefused);
  assert.equal(await removeFromRoot(root, '/home/app/.ssh/id_ed25519', first.ino + 1), false, 'another inode is not removed');
  assert.equal(await removeFromRoot(root, '/home/app/.ssh/id_ed25519', first.ino), true);
  assert.equal(existsSync(join(root, 'home/app/.ssh/id_ed25519')), false);
});

test('a symbolic link on the way (absolute or relative) is refused and nothing lands outside the root', async () => {
  symlinkSync(outside, join(root, 'etc'));
  symlinkSync('../outside', join(root, 'var'));
  await assert.rejects(plantInRoot(root, '/etc/ssh/key', 'KEY', owner()), PlantRefused);
  await assert.rejects(plantInRoot(root, '/var/key', 'KEY', owner()), PlantRefused);
  assert.deepEqual(readdirSync(outside), []);
});

test('a symbolic link at the file itself is left alone', async () => {
  writeFileSync(join(outside, 'target'), 'host file');
  symlinkSync(join(outside, 'target'), join(root, 'decoy'));
  await assert.rejects(plantInRoot(root, '/decoy', 'KEY', owner()));
  assert.equal(readFileSync(join(outside, 'target'), 'utf8'), 'host file');
});

test('".." and relative paths are refused before anything is opened', async () => {
  await assert.rejects(plantInRoot(root, '/a/../../outside/x', 'KEY', owner()), PlantRefused);
  await assert.rejects(plantInRoot(root, 'relative/x', 'KEY', owner()), PlantRefused);
  assert.deepEqual(readdirSync(outside).sort(), ['target']);
});
