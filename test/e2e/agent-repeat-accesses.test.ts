/**
 * The agent (its own process, root, the real kernel) on a decoy only a Post policy watches: a
 * process's reads and opens after its first event are let through by the addon and still exported, each
 * with the process; and once a policy that kills readers of the decoy is loaded, the same
 * process's next read is judged by it, not let through on the old policies' word.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TetragonKprobeEvent } from '../../src/agent/export/tetragon.js';
import { AgentProcess } from '../agent/support/agent-process.js';
import { policy } from '../agent/support/policies.js';
import { SECRET } from '../agent/sensors/helpers.js';
import { waitFor } from '../support/wait.js';

/** Opens, reads and closes the decoy once per line on stdin and says so. It holds no descriptor
 * between lines: a policy reload reports held descriptors to the new policies, which would kill
 * it before its next read could show anything. */
const READER =
  'import os,sys\nfor line in sys.stdin:\n  fd = os.open(sys.argv[1], os.O_RDONLY)\n  os.pread(fd, 64, 0)\n  os.close(fd)\n  print("read", flush=True)';

describe('tripline agent: repeat reads of a decoy that is only reported', () => {
  let dir: string;
  let policies: string;
  let exportFile: string;
  let agent: AgentProcess;
  let reader: ChildProcessWithoutNullStreams | undefined;
  const decoy = () => join(dir, 'id_rsa');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-agent-'));
    await chmod(dir, 0o755);
    await writeFile(decoy(), SECRET, { mode: 0o644 });
    policies = join(dir, 'policies');
    await mkdir(policies);
    await writeFile(join(policies, 'post.yaml'), policy({ name: 'post-readers', path: decoy(), mask: '4' }));
    exportFile = join(dir, 'events.json');
    agent = await AgentProcess.start(['--policy-dir', policies, '--export', exportFile, '--node-name', 'test-node']);
  });

  after(async () => {
    if (reader && reader.exitCode === null && reader.signalCode === null) reader.kill('SIGKILL');
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function exportedReads(pid: number): Promise<TetragonKprobeEvent[]> {
    const text = await readFile(exportFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TetragonKprobeEvent)
      .filter((e) => e.process_kprobe.policy_name === 'post-readers' && e.process_kprobe.process.pid === pid);
  }

  it('exports every read, then kills the same process at its next read once a Sigkill policy is loaded', async () => {
    const child = spawn('/usr/bin/python3', ['-u', '-c', READER, decoy()], { stdio: ['pipe', 'pipe', 'pipe'] });
    reader = child;
    const pid = child.pid!;
    let said = 0;
    child.stdout.on(
      'data',
      (d: Buffer) =>
        (said += d
          .toString()
          .split('\n')
          .filter((l) => l === 'read').length),
    );
    const exited = once(child, 'exit');
    child.stdin.on('error', () => undefined); // EPIPE once it is killed
    const readOnce = async (n: number) => {
      child.stdin.write('go\n');
      await waitFor(`read ${n} done`, () => said >= n, 10_000);
    };

    for (let n = 1; n <= 3; n++) await readOnce(n);
    const reads = await waitFor('three exported reads', async () => {
      const seen = await exportedReads(pid);
      return seen.length >= 3 ? seen : null;
    });
    for (const e of reads) {
      const p = e.process_kprobe.process;
      assert.equal(p.binary.startsWith('/usr/bin/python3'), true, p.binary);
      assert.ok(p.arguments.includes(decoy()), p.arguments);
      assert.equal(p.uid, 0);
    }

    await writeFile(join(policies, 'kill.yaml'), policy({ name: 'kill-readers', path: decoy(), mask: '4', actions: ['action: Sigkill'] }));
    await agent.waitForLog((l) => l.msg.startsWith('policy file loaded') && String(l.file).endsWith('kill.yaml'));
    child.stdin.write('go\n');
    const [code, signal] = await exited;
    assert.equal(signal, 'SIGKILL', `exit ${code}`);
    assert.equal(said, 3, 'the read after the reload never completed');
  });
});
