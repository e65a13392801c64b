/**
 * The policy `decoy plant` and `policy generate --access any` write, loaded by the real agent on
 * the real kernel: ways of touching a decoy that a read hook alone misses are reported with the
 * process that did it: an open without a read, a read through a mapping only, and truncate(2) by
 * path, without any open; and a descriptor opened before the agent started, reported at start.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatePolicy } from '../../src/policy/index.js';
import { AgentProcess, type LogLine } from '../agent/support/agent-process.js';
import { holder, run, SECRET } from '../agent/sensors/helpers.js';

const PYTHON = '/usr/bin/python3';

describe('tripline agent with an --access any policy: every way in', () => {
  let dir: string;
  let decoy: string;
  let agent: AgentProcess;
  let early: ChildProcess;

  const accessed = (pid: number, access: string, hook: string) => (l: LogLine) =>
    l.msg === 'watched file accessed' && l.pid === pid && l.access === access && l.hook === hook;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-every-way-'));
    await chmod(dir, 0o755);
    decoy = join(dir, 'id_rsa');
    await writeFile(decoy, SECRET, { mode: 0o644 });
    const policies = join(dir, 'policies');
    await mkdir(policies);
    await writeFile(join(policies, 'decoy.yaml'), generatePolicy({ tokenId: 'tok-every-way', path: decoy, access: 'any' }));
    early = await holder(decoy, 'os.O_RDONLY');
    agent = await AgentProcess.start(['--policy-dir', policies]);
  });

  after(async () => {
    early?.kill('SIGKILL');
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a descriptor opened before the agent started, at start, with the holder', async () => {
    const line = await agent.waitForLog(accessed(early.pid!, 'read', 'security_file_permission'));
    assert.equal(line.held, 'open since before the watch began');
  });

  it('reports an open without a read', async () => {
    const r = await run(PYTHON, ['-c', `import os; os.close(os.open(${JSON.stringify(decoy)}, os.O_RDONLY))`]);
    assert.equal(r.code, 0, r.stderr);
    await agent.waitForLog(accessed(r.pid, 'open', 'security_file_open'));
  });

  it('reports a read made only through a mapping (open, mmap, close, then copy out of it)', async () => {
    const script = [
      'import mmap, os',
      `fd = os.open(${JSON.stringify(decoy)}, os.O_RDONLY)`,
      'm = mmap.mmap(fd, 0, prot=mmap.PROT_READ)',
      'os.close(fd)',
      'print(bytes(m[:]).decode(), end="")',
    ].join('\n');
    const r = await run(PYTHON, ['-c', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, SECRET);
    await agent.waitForLog(accessed(r.pid, 'mmap', 'security_mmap_file'));
  });

  it('reports truncate(2) by path, which opens nothing', async () => {
    const r = await run(PYTHON, ['-c', `import os; os.truncate(${JSON.stringify(decoy)}, 0)`]);
    assert.equal(r.code, 0, r.stderr);
    await agent.waitForLog(accessed(r.pid, 'truncate', 'security_path_truncate'));
    assert.equal(agent.logs.filter((l) => l.pid === r.pid && l.access === 'open').length, 0);
    assert.equal(await readFile(decoy, 'utf8'), '');
    await writeFile(decoy, SECRET);
  });
});
