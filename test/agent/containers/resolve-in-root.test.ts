/**
 * Symbolic links inside a container's root are followed inside that root: an absolute target
 * restarts at the container's root, ".." stops at it, loops end. On a plain directory standing in
 * for /proc/<pid>/root.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { realpathInContainer, resolveInRoot } from '../../../src/agent/containers/resolve-in-root.js';

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'tripline-inroot-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'shadow'), 'container shadow');
  symlinkSync('/etc/shadow', join(root, 'etc', 'passwd'));
  symlinkSync('../../../../../etc', join(root, 'up'));
  symlinkSync('/loop-b', join(root, 'loop-a'));
  symlinkSync('/loop-a', join(root, 'loop-b'));
});

after(() => rmSync(root, { recursive: true, force: true }));

test('an absolute link resolves inside the root, never on the host', async () => {
  assert.equal(await resolveInRoot(root, '/etc/passwd'), `${root}/etc/shadow`);
});

test('".." in a link stops at the root', async () => {
  assert.equal(await resolveInRoot(root, '/up/shadow'), `${root}/etc/shadow`);
});

test('a loop of links fails with ELOOP, a missing file with ENOENT', async () => {
  await assert.rejects(resolveInRoot(root, '/loop-a'), { code: 'ELOOP' });
  await assert.rejects(resolveInRoot(root, '/etc/missing'), { code: 'ENOENT' });
});

test('only /proc/<pid>/root paths are taken', async () => {
  await assert.rejects(realpathInContainer('/etc/passwd'), { code: 'EINVAL' });
});
