import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { cgroupIdentity, containerIdFromPath } from '../../../src/agent/sensors/container-id.js';
import { ProcessCache } from '../../../src/agent/sensors/process-cache.js';
import { execId, parseArguments, parseStat, parseUid, readProcess, readProcessAndParent } from '../../../src/agent/sensors/process-context.js';

const ID = 'a'.repeat(12) + '0123456789abcdef'.repeat(3) + 'b'.repeat(4);

describe('container ids from cgroup paths', () => {
  const cases: [string, string, string | null][] = [
    ['docker, cgroupfs driver', `/docker/${ID}`, ID],
    ['docker, systemd driver', `/system.slice/docker-${ID}.scope`, ID],
    ['containerd under kubepods (systemd)', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234_5678.slice/cri-containerd-${ID}.scope`, ID],
    ['cri-o', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice/crio-${ID}.scope`, ID],
    ['cri-o conmon is not the container', `/system.slice/crio-conmon-${ID}.scope`, null],
    ['podman', `/machine.slice/libpod-${ID}.scope/container`, ID],
    ['podman conmon is not the container', `/machine.slice/libpod-conmon-${ID}.scope`, null],
    ['kubepods, cgroupfs driver', `/kubepods/besteffort/pod0f1e2d3c-aaaa-bbbb-cccc-0123456789ab/${ID}`, ID],
    ['host session', '/user.slice/user-0.slice/session-3.scope', null],
    ['root', '/', null],
  ];
  for (const [name, path, expected] of cases) it(name, () => assert.equal(containerIdFromPath(path), expected));

  it('reports the unified cgroup and finds the id in any hierarchy', () => {
    const file = `12:memory:/docker/${ID}\n1:name=systemd:/docker/${ID}\n0::/system.slice/docker-${ID}.scope\n`;
    assert.deepEqual(cgroupIdentity(file), { cgroup: `/system.slice/docker-${ID}.scope`, containerId: ID });
    assert.deepEqual(cgroupIdentity('0::/user.slice\n'), { cgroup: '/user.slice', containerId: null });
  });
});

describe('/proc parsing', () => {
  it('parses stat even when the command name holds spaces and parentheses', () => {
    // state, ppid, fields 5-19, num_threads (20), itrealvalue, starttime (22), vsize
    const fields = ['S', '77', ...Array(15).fill('0'), '3', '0', '123456', '0'];
    assert.deepEqual(parseStat(`42 (evil) (name) ${fields.join(' ')}`), { ppid: 77, startTicks: 123456, threads: 3 });
    assert.equal(parseStat('garbage'), null);
  });

  it('takes the real uid from status', () => {
    assert.equal(parseUid('Name:\tcat\nUid:\t1000\t0\t0\t0\n'), 1000);
  });

  it('drops argv[0] and the trailing NUL', () => {
    assert.deepEqual(parseArguments('cat\0-n\0a file\0'), ['-n', 'a file']);
    assert.deepEqual(parseArguments(''), []);
  });

  it('builds exec ids as Tetragon does: base64 of node:start-ns:pid', () => {
    assert.equal(Buffer.from(execId('node1', 250, 42), 'base64').toString(), 'node1:2500000000:42');
  });
});

describe('readProcess on a live process', () => {
  it('reads pid, uid, binary, arguments, cwd, start time and parent', async () => {
    const child = spawn('sleep', ['30'], { cwd: tmpdir(), stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      // exec happens right after spawn; wait until /proc shows sleep rather than node.
      let info = await readProcess(child.pid!);
      for (let i = 0; i < 50 && info?.binary !== '/usr/bin/sleep'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        info = await readProcess(child.pid!);
      }
      const { process: p, parent } = await readProcessAndParent(child.pid!, { nodeName: 'n1', tid: child.pid! });
      assert.ok(p);
      assert.equal(p.pid, child.pid);
      assert.equal(p.tid, child.pid);
      assert.equal(p.uid, process.getuid!());
      assert.equal(p.binary, '/usr/bin/sleep');
      assert.deepEqual(p.arguments, ['30']);
      assert.equal(p.cwd, await realpath(tmpdir()));
      assert.ok(Math.abs(Date.parse(p.startTime) - Date.now()) < 30_000, p.startTime);
      assert.match(Buffer.from(p.execId, 'base64').toString(), new RegExp(`^n1:\\d+:${child.pid}$`));
      assert.equal(parent?.pid, process.pid);
      assert.equal(parent?.binary, await realpath(process.execPath));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('returns null for a process that does not exist', async () => {
    assert.equal(await readProcess(2 ** 22 + 12345), null);
  });
});

describe('ProcessCache', () => {
  it('keeps a process per execution: the same answer again, a new one after exec', async () => {
    const child = spawn('/bin/sh', ['-c', 'read line; exec /usr/bin/sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await new Promise((r) => child.once('spawn', r));
      const cache = new ProcessCache('n1');
      const shell = await realpath('/bin/sh');
      let first = cache.read(child.pid!).process;
      for (let i = 0; i < 50 && first?.binary !== shell; i++) {
        await new Promise((r) => setTimeout(r, 10));
        first = cache.read(child.pid!).process;
      }
      assert.equal(first?.binary, shell);
      const again = cache.read(child.pid!);
      assert.deepEqual(again.process, first);
      assert.equal(again.parent?.pid, process.pid);
      child.stdin!.write('go\n');
      let after = cache.read(child.pid!).process;
      for (let i = 0; i < 50 && after?.binary !== '/usr/bin/sleep'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        after = cache.read(child.pid!).process;
      }
      assert.equal(after?.binary, '/usr/bin/sleep');
      assert.deepEqual(after?.arguments, ['30']);
      assert.equal(after?.startTime, first?.startTime, 'exec keeps the process, not the execution');
      const sleep = await stat('/usr/bin/sleep');
      assert.deepEqual(after?.binaryFile, { dev: sleep.dev, ino: sleep.ino, pathMatches: true });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
