/** From policy paths to files: exact paths, and Prefix as Tetragon's string prefix. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveTarget } from '../../src/agent/watch-targets.js';

describe('resolveTarget', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-targets-'));
    await mkdir(join(dir, 'ssh', 'id_keys'), { recursive: true });
    for (const f of ['ssh/id_rsa', 'ssh/id_keys/old', 'ssh/known_hosts', 'other']) await writeFile(join(dir, f), 'x');
    await symlink(join(dir, 'other'), join(dir, 'ssh', 'id_link'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes an exact path as it is', async () => {
    const r = await resolveTarget({ path: join(dir, 'ssh/id_rsa'), match: 'exact', accesses: ['read'] });
    assert.deepEqual(r.files, [join(dir, 'ssh/id_rsa')]);
  });

  it('treats a prefix as a string prefix, entering matching directories and skipping symlinks', async () => {
    const r = await resolveTarget({ path: join(dir, 'ssh/id_'), match: 'prefix', accesses: ['read'] });
    assert.deepEqual(r.files, [join(dir, 'ssh/id_keys/old'), join(dir, 'ssh/id_rsa')]);
    assert.equal(r.error, undefined);
  });

  it('takes a directory prefix ending in / as its whole subtree', async () => {
    const r = await resolveTarget({ path: `${join(dir, 'ssh')}/`, match: 'prefix', accesses: ['read'] });
    assert.deepEqual(r.files, [join(dir, 'ssh/id_keys/old'), join(dir, 'ssh/id_rsa'), join(dir, 'ssh/known_hosts')]);
  });

  it('says when a prefix directory cannot be listed, and when the walk was cut short', async () => {
    const missing = await resolveTarget({ path: `${join(dir, 'nope')}/`, match: 'prefix', accesses: ['read'] });
    assert.match(missing.error ?? '', /cannot list .*ENOENT/);
    const capped = await resolveTarget({ path: `${join(dir, 'ssh')}/`, match: 'prefix', accesses: ['read'] }, { maxDepth: 8, maxFiles: 1 });
    assert.equal(capped.files.length, 1);
    assert.match(capped.error ?? '', /more than 1 files/);
  });
});
