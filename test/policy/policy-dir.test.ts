import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isPolicyFileName, listPolicyFiles, policiesWatching } from '../../src/policy/index.js';
import { equalPathSelector, onePolicy, permissionPolicyYaml } from './helpers.js';

const prefixSelector = (path: string) => `    - matchArgs:
      - index: 0
        operator: Prefix
        values: ["${path}"]
`;

describe('which files in a policy directory are policies', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('names: .yaml and .yml, not hidden', () => {
    assert.equal(isPolicyFileName('a.yaml'), true);
    assert.equal(isPolicyFileName('b.yml'), true);
    assert.equal(isPolicyFileName('.hidden.yaml'), false, 'editor lock files and atomic-write temporaries start with a dot');
    assert.equal(isPolicyFileName('c.yaml.tmp'), false);
    assert.equal(isPolicyFileName('d.json'), false);
  });

  test('regular files once symlinks are followed, in name order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tripline-policy-dir-'));
    dirs.push(dir);
    const text = permissionPolicyYaml(equalPathSelector('/srv/a'));
    await writeFile(join(dir, 'b.yml'), text);
    await writeFile(join(dir, 'a.yaml'), text);
    await writeFile(join(dir, '.a.yaml.1f2e.tmp'), text);
    await writeFile(join(dir, '.hidden.yaml'), text);
    await mkdir(join(dir, 'dir.yaml'));
    await symlink(join(dir, 'a.yaml'), join(dir, 'linked.yaml'));
    await symlink(join(dir, 'missing'), join(dir, 'dangling.yaml'));
    const files = await listPolicyFiles(dir);
    assert.deepEqual(
      files.map((f) => f.path),
      ['a.yaml', 'b.yml', 'linked.yaml'].map((n) => join(dir, n)),
    );
    assert.ok(files.every((f) => f.stats.isFile()));
    await assert.rejects(listPolicyFiles(join(dir, 'absent')), { code: 'ENOENT' });
  });
});

describe('which policies watch a path', () => {
  const exact = onePolicy(permissionPolicyYaml(equalPathSelector('/srv/decoy/passwd'), '', 'exact'));
  const prefix = onePolicy(permissionPolicyYaml(prefixSelector('/srv/decoy/'), '', 'prefix'));
  const other = onePolicy(permissionPolicyYaml(equalPathSelector('/srv/other'), '', 'other'));
  const names = (policies: { name: string }[]) => policies.map((p) => p.name);

  test('covering: the file itself, or anything under a prefix', () => {
    assert.deepEqual(names(policiesWatching([exact, prefix, other], '/srv/decoy/passwd')), ['exact', 'prefix']);
    assert.deepEqual(names(policiesWatching([exact, prefix, other], '/srv/decoy/shadow')), ['prefix']);
    assert.deepEqual(names(policiesWatching([exact, prefix, other], '/srv/elsewhere')), []);
  });

  test('exactly: only a policy written for this very file', () => {
    assert.deepEqual(names(policiesWatching([exact, prefix, other], '/srv/decoy/passwd', 'exactly')), ['exact']);
    assert.deepEqual(names(policiesWatching([exact, prefix, other], '/srv/decoy/shadow', 'exactly')), []);
  });
});
