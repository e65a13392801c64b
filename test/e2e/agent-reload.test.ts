/**
 * The policy directory while the agent runs: a malformed file is reported with file, line and
 * field and does not stop the others; files added, changed and removed take effect without a
 * restart. Real agent process, real kernel, scratch decoys.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentProcess, ERROR, type LogLine } from '../agent/support/agent-process.js';
import { waitFor } from '../support/wait.js';
import { policy } from '../agent/support/policies.js';
import { run, SECRET } from '../agent/sensors/helpers.js';

describe('tripline agent: policy directory', () => {
  let dir: string;
  let policies: string;
  let exportFile: string;
  let agent: AgentProcess;
  const decoy = (name: string) => join(dir, name);

  /** Replaces a policy file in one step, as deployment tools do. */
  async function place(name: string, text: string): Promise<void> {
    const temp = join(policies, `.${name}.tmp`);
    await writeFile(temp, text);
    await rename(temp, join(policies, name));
  }

  async function exportedPids(policyName: string): Promise<number[]> {
    const text = await readFile(exportFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.process_kprobe.policy_name === policyName)
      .map((e) => e.process_kprobe.process.pid as number);
  }

  const loaded = (file: string) => (l: LogLine) => l.msg.startsWith('policy file loaded') && l.file === join(policies, file);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-reload-'));
    await chmod(dir, 0o755);
    for (const name of ['one', 'two']) await writeFile(decoy(name), SECRET, { mode: 0o644 });
    policies = join(dir, 'policies');
    await mkdir(policies);
    exportFile = join(dir, 'events.json');
    await place('good.yaml', policy({ name: 'watch-one', path: decoy('one'), mask: '4' }));
    const malformed = (await readFile(new URL('../policy/fixtures/bad-operator.yaml', import.meta.url), 'utf8')).replace('/srv/decoy/passwd', decoy('two'));
    await place('bad.yaml', malformed);
    agent = await AgentProcess.start(['--policy-dir', policies, '--export', exportFile]);
  });

  after(async () => {
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs a malformed policy with its file, line and field, and the other policies keep working', async () => {
    const error = await agent.waitForLog((l) => l.level >= ERROR && l.file === join(policies, 'bad.yaml') && /:\d+:\d+: /.test(l.msg));
    assert.match(error.msg, new RegExp(`^${join(policies, 'bad.yaml')}:21:\\d+: spec\\.kprobes\\[0\\]\\.selectors\\[0\\]\\.matchArgs\\[1\\]\\.operator: `));
    const cat = await run('cat', [decoy('one')]);
    assert.equal(cat.stdout, SECRET);
    await waitFor('the good policy firing', async () => (await exportedPids('watch-one')).includes(cat.pid));
  });

  it('applies an added policy file without a restart', async () => {
    await place('two.yaml', policy({ name: 'watch-two', path: decoy('two'), mask: '4' }));
    await agent.waitForLog((l) => l.msg === 'watching' && l.path === decoy('two'));
    const cat = await run('cat', [decoy('two')]);
    await waitFor('the added policy firing', async () => (await exportedPids('watch-two')).includes(cat.pid));
  });

  it('applies a changed policy file without a restart', async () => {
    const before = agent.logs.filter(loaded('two.yaml')).length;
    await place('two.yaml', policy({ name: 'watch-two', path: decoy('two'), mask: '4', actions: ['action: Override\n        argError: -1'] }));
    await waitFor('the change loaded', () => agent.logs.filter(loaded('two.yaml')).length > before);
    const cat = await run('cat', [decoy('two')]);
    assert.equal(cat.code, 1);
    assert.match(cat.stderr, /Operation not permitted/);
  });

  it('loads a fixed file, and drops a removed one without a restart', async () => {
    await place('bad.yaml', policy({ name: 'fixed', path: decoy('one'), mask: '2' }));
    await agent.waitForLog(loaded('bad.yaml'));
    await unlink(join(policies, 'two.yaml'));
    await agent.waitForLog((l) => l.msg === 'no longer watched' && l.path === decoy('two'));
    const two = await run('cat', [decoy('two')]);
    assert.equal(two.stdout, SECRET, 'no longer denied');
    // Still watched, and handled after the read of two: once it shows, two's would have too.
    const one = await run('cat', [decoy('one')]);
    await waitFor('the remaining policy firing', async () => (await exportedPids('watch-one')).includes(one.pid));
    assert.ok(!(await exportedPids('watch-two')).includes(two.pid));
  });
});
