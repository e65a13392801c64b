/**
 * A policy directory mounted from a ConfigMap, updated the way the kubelet's atomic writer does
 * it: a new hidden timestamped directory, a `..data_tmp` symlink renamed over `..data`, then the
 * visible symlinks added and removed and the old version deleted. The agent reloads once per
 * swap, only ever holds one whole version, and never takes a `..` entry as a policy.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { PolicyDirectory } from '../../src/agent/policy-dir.js';
import { waitFor } from '../support/wait.js';
import { policy } from './support/policies.js';

const log = pino({ level: 'silent' });

/** Writes a version directory holding `files` and makes it current, as the kubelet does. */
async function publish(dir: string, version: string, files: Record<string, string>): Promise<void> {
  const versionDir = join(dir, version);
  await mkdir(versionDir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(versionDir, name), text);
  await symlink(version, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
}

describe('a policy directory mounted from a ConfigMap', () => {
  let dir: string;
  let policies: PolicyDirectory;
  /** The policy names at every change the directory announced. */
  const seen: string[][] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-configmap-'));
    await publish(dir, '..2030_01_01_00_00_00.000000001', {
      'a.yaml': policy({ name: 'a-v1', path: '/srv/a', mask: '4' }),
      'b.yaml': policy({ name: 'b-v1', path: '/srv/b', mask: '4' }),
    });
    await symlink('..data/a.yaml', join(dir, 'a.yaml'));
    await symlink('..data/b.yaml', join(dir, 'b.yaml'));
    policies = new PolicyDirectory(dir, log, { rescanMs: 3_600_000 });
    policies.on('change', () => seen.push(policies.policies.policies.map((p) => p.name).sort()));
    await policies.start();
  });

  after(async () => {
    policies.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the current version and no `..` entry', () => {
    assert.deepEqual(policies.policies.policies.map((p) => p.name).sort(), ['a-v1', 'b-v1']);
    for (const report of policies.reports()) assert.ok(!report.file.includes('/..'), report.file);
  });

  it('a ..data swap is picked up once, whole, with the files named as mounted', async () => {
    const changesBefore = seen.length;
    await publish(dir, '..2030_01_01_00_01_00.000000002', {
      'a.yaml': policy({ name: 'a-v2', path: '/srv/a', mask: '2' }),
      'c.yaml': policy({ name: 'c-v2', path: '/srv/c', mask: '4' }),
    });
    // The kubelet's clean-up after the swap: visible names follow, the old version goes.
    await symlink('..data/c.yaml', join(dir, 'c.yaml'));
    await unlink(join(dir, 'b.yaml'));
    await rm(join(dir, '..2030_01_01_00_00_00.000000001'), { recursive: true });
    await waitFor('the new version', () => policies.policies.policies.some((p) => p.name === 'c-v2'), 5000);
    // Let any notification still in flight be handled before counting.
    await policies.rescan();
    assert.deepEqual(policies.policies.policies.map((p) => p.name).sort(), ['a-v2', 'c-v2']);
    assert.equal(seen.length - changesBefore, 1, `changes seen: ${JSON.stringify(seen.slice(changesBefore))}`);
    for (const names of seen) assert.ok(JSON.stringify(names) === '["a-v1","b-v1"]' || JSON.stringify(names) === '["a-v2","c-v2"]', `a mixed set: ${names}`);
    assert.deepEqual(
      policies
        .reports()
        .map((r) => r.file)
        .sort(),
      [join(dir, 'a.yaml'), join(dir, 'c.yaml')],
    );
  });
});
