/** The policy directory: files loaded, bad ones reported without stopping the rest, changes followed. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { PolicyDirectory } from '../../src/agent/policy-dir.js';
import { policy } from './support/policies.js';

const log = pino({ level: 'silent' });

describe('PolicyDirectory', () => {
  let dir: string;
  let policies: PolicyDirectory;
  let changes = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-policydir-'));
    await writeFile(join(dir, 'a.yaml'), policy({ name: 'a', path: '/srv/a', mask: '4' }));
    await writeFile(join(dir, 'b.yml'), policy({ name: 'b', path: '/srv/b', mask: '4' }).replace('operator: Equal', 'operator: Equals'));
    await writeFile(join(dir, 'notes.txt'), 'not a policy');
    // Long intervals: the test drives rescans itself.
    policies = new PolicyDirectory(dir, log, { rescanMs: 3_600_000 });
    policies.on('change', () => changes++);
    await policies.start();
  });
  after(async () => {
    policies.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the good files, reports the bad one with file, line and field, and ignores other files', () => {
    assert.deepEqual(
      policies.policies.policies.map((p) => p.name),
      ['a'],
    );
    const reports = policies.reports();
    assert.deepEqual(
      reports.map((r) => [r.file, r.name, r.ok]),
      [
        [join(dir, 'a.yaml'), 'a', true],
        [join(dir, 'b.yml'), null, false],
      ],
    );
    assert.match(
      reports[1]!.errors[0]!,
      new RegExp(`^${join(dir, 'b.yml')}:\\d+:\\d+: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[0\\]\\.operator: `),
    );
  });

  it('follows added, fixed and removed files', async () => {
    const before = changes;
    await writeFile(join(dir, 'b.yml'), policy({ name: 'b', path: '/srv/b', mask: '4' }));
    await writeFile(join(dir, 'c.yaml'), policy({ name: 'c', path: '/srv/c', mask: '2' }));
    await unlink(join(dir, 'a.yaml'));
    await policies.rescan();
    assert.deepEqual(
      policies.policies.policies.map((p) => p.name),
      ['b', 'c'],
    );
    assert.ok(changes > before);
    const unchanged = changes;
    await policies.rescan();
    assert.equal(changes, unchanged, 'nothing changed, nothing reloaded');
  });

  it('gives a policy name defined twice to the file that sorts first', async () => {
    await writeFile(join(dir, 'd.yaml'), policy({ name: 'b', path: '/srv/d', mask: '4' }));
    await policies.rescan();
    const d = policies.reports().find((r) => r.file === join(dir, 'd.yaml'))!;
    assert.equal(d.ok, false);
    assert.match(d.errors[0]!, /already defined in .*b\.yml/);
    assert.deepEqual(
      policies.policies
        .watches()
        .map((w) => w.path)
        .sort(),
      ['/srv/b', '/srv/c'],
    );
  });
});
