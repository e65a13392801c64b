/**
 * The agent as operators run it (`tripline agent` in its own process, root, the real kernel) on
 * scratch decoys: the tutorial's policy, matchBinaries, Sigkill, Override, GetUrl off the event
 * path, and the Tetragon-shaped export. Nothing outside a temporary directory is watched.
 */
import assert from 'node:assert/strict';
import { chmod, link, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentProcess } from '../agent/support/agent-process.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';
import { policy, tutorialPolicy } from '../agent/support/policies.js';
import { run, SECRET } from '../agent/sensors/helpers.js';
import type { TetragonKprobeEvent } from '../../src/agent/export/tetragon.js';

const fileArg = (e: TetragonKprobeEvent): string => (e.process_kprobe.args[0] as { file_arg: { path: string } }).file_arg.path;

describe('tripline agent: policies, actions and export', () => {
  let dir: string;
  let exportFile: string;
  let canary: HttpReceiver;
  let agent: AgentProcess;
  let release: () => void = () => undefined;
  const decoy = (name: string) => join(dir, name);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-agent-'));
    await chmod(dir, 0o755);
    for (const name of ['passwd', 'allowed', 'killed', 'denied', 'slow', 'signalled', 'monitored', 'readonly'])
      await writeFile(decoy(name), SECRET, { mode: 0o644 });
    const policies = join(dir, 'policies');
    await mkdir(policies);
    canary = await new HttpReceiver().start();
    const held = new Promise<void>((resolve) => (release = resolve));
    canary.behaviour = async (r) => {
      if (r.path === '/slow') await held;
      return { status: 200 };
    };
    await writeFile(join(policies, 'monitor-etc-passwd-canary.yaml'), await tutorialPolicy(decoy('passwd'), canary.url('/canary')));
    await writeFile(
      join(policies, 'allowed.yaml'),
      policy({
        name: 'cat-allowed',
        path: decoy('allowed'),
        mask: '4',
        extra: '      matchBinaries:\n      - operator: NotIn\n        values:\n        - /usr/bin/cat\n',
      }),
    );
    await writeFile(join(policies, 'killed.yaml'), policy({ name: 'kill-readers', path: decoy('killed'), mask: '4', actions: ['action: Sigkill'] }));
    await writeFile(
      join(policies, 'denied.yaml'),
      policy({ name: 'deny-readers', path: decoy('denied'), mask: '4', actions: ['action: Override\n        argError: -1'] }),
    );
    await writeFile(
      join(policies, 'slow.yaml'),
      policy({ name: 'slow-canary', path: decoy('slow'), mask: '2', actions: [`action: GetUrl\n        argUrl: ${canary.url('/slow')}`] }),
    );
    await writeFile(
      join(policies, 'signalled.yaml'),
      policy({ name: 'term-readers', path: decoy('signalled'), mask: '4', actions: ['action: Signal\n        argSig: 15'] }),
    );
    await writeFile(
      join(policies, 'monitored.yaml'),
      policy({ name: 'monitor-kill', path: decoy('monitored'), mask: '4', actions: ['action: Sigkill'] }).replace(
        'spec:\n',
        'spec:\n  options:\n  - name: policy-mode\n    value: monitor\n',
      ),
    );
    await writeFile(
      join(policies, 'readonly.yaml'),
      policy({ name: 'deny-writers', path: decoy('readonly'), mask: '2', actions: ['action: Override\n        argError: -1'] }),
    );
    exportFile = join(dir, 'events.json');
    agent = await AgentProcess.start(['--policy-dir', policies, '--export', exportFile, '--node-name', 'test-node']);
  });

  after(async () => {
    release();
    await agent?.stop();
    await canary?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function exported(): Promise<TetragonKprobeEvent[]> {
    const text = await readFile(exportFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TetragonKprobeEvent);
  }

  async function exportedFor(policyName: string, pid: number): Promise<TetragonKprobeEvent> {
    return waitFor(`an export line of ${policyName} for pid ${pid}`, async () =>
      (await exported()).find((e) => e.process_kprobe.policy_name === policyName && e.process_kprobe.process.pid === pid),
    );
  }

  it("fires the tutorial's policy on `echo something.strange >> FILE`, not on `cat FILE`, and the receiver gets the GET", async () => {
    const cat = await run('cat', [decoy('passwd')]);
    assert.equal(cat.stdout, SECRET);
    const echo = await run('sh', ['-c', `echo something.strange >> ${decoy('passwd')}`]);
    assert.equal(echo.code, 0);
    await waitFor('the canary GET', () => canary.to('/canary').length > 0);
    const event = await exportedFor('monitor-etc-passwd-canary', echo.pid);
    assert.equal(event.process_kprobe.action, 'KPROBE_ACTION_GETURL');
    assert.deepEqual(event.process_kprobe.args[1], { int_arg: 2 });
    // Export lines are written in the order events were handled: the cat came first.
    const all = await exported();
    assert.equal(all.filter((e) => e.process_kprobe.process.pid === cat.pid).length, 0, 'cat reads are no match');
    assert.equal(canary.to('/canary').length, 1);
    assert.match(await readFile(decoy('passwd'), 'utf8'), /something\.strange/);
  });

  it('keeps a binary allowed by matchBinaries NotIn silent while others still fire', async () => {
    const cat = await run('cat', [decoy('allowed')]);
    assert.equal(cat.stdout, SECRET);
    const python = await run('/usr/bin/python3', ['-c', `print(open(${JSON.stringify(decoy('allowed'))}).read(), end="")`]);
    assert.equal(python.stdout, SECRET);
    const head = await run('head', ['-c', '5', decoy('allowed')]);
    assert.equal(head.stdout, SECRET.slice(0, 5));
    await exportedFor('cat-allowed', python.pid);
    await exportedFor('cat-allowed', head.pid);
    const all = await exported();
    assert.equal(all.filter((e) => e.process_kprobe.process.pid === cat.pid).length, 0, 'cat is allowed');
  });

  it('does not let a bind mount over an allowed binary inherit its allowance (inside unshare -m only)', async () => {
    // The mount lives in a private mount namespace that ends with the command: /usr/bin/cat on the
    // host is never touched.
    const script = `mount --bind /usr/bin/head /usr/bin/cat && exec /usr/bin/cat ${decoy('allowed')}`;
    const r = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, SECRET.split('\n').slice(0, 10).join('\n'));
    const line = await exportedFor('cat-allowed', r.pid);
    assert.equal(line.process_kprobe.process.binary, '/usr/bin/cat');
    const logged = await agent.waitForLog((l) => l.msg === 'watched file accessed' && l.pid === r.pid && l.policy === 'cat-allowed');
    const head = await stat('/usr/bin/head');
    assert.deepEqual(logged.binaryFile, { dev: head.dev, ino: head.ino, pathMatches: false });
  });

  it('exports Tetragon process_kprobe JSON with the accessor pid, binary, uid and arguments', async () => {
    const head = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/head', '-c', '3', decoy('allowed')]);
    assert.equal(head.stdout, SECRET.slice(0, 3));
    const line = await exportedFor('cat-allowed', head.pid);
    const { process_kprobe: k } = line;
    assert.equal(line.node_name, 'test-node');
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.equal(k.process.binary, '/usr/bin/head');
    assert.equal(k.process.uid, 65534);
    assert.equal(k.process.arguments, `-c 3 ${decoy('allowed')}`);
    assert.equal(k.process.tid, head.pid);
    assert.ok(k.process.exec_id.length > 0);
    assert.ok(k.parent && k.process.parent_exec_id === k.parent.exec_id);
    assert.equal(k.parent.pid, process.pid);
    assert.equal(k.function_name, 'security_file_permission');
    assert.deepEqual(k.args, [{ file_arg: { path: decoy('allowed'), permission: '-rw-r--r--' } }, { int_arg: 4 }]);
    assert.equal(k.action, 'KPROBE_ACTION_POST');
    assert.equal(k.policy_name, 'cat-allowed');
  });

  it('kills `cat` before it reads anything with Sigkill (exit 137)', async () => {
    const cat = await run('sh', ['-c', `cat ${decoy('killed')}; echo "status $?"`]);
    assert.equal(cat.stdout, 'status 137\n');
    // The shell forks the cat, so its pid is not known here: the one killed-readers line it is.
    const event = await waitFor('the killed cat in the export', async () => (await exported()).find((e) => e.process_kprobe.policy_name === 'kill-readers'));
    assert.equal(event.process_kprobe.action, 'KPROBE_ACTION_SIGKILL');
    assert.equal(event.process_kprobe.process.binary, '/usr/bin/cat');
    assert.equal(event.process_kprobe.parent?.pid, cat.pid);
  });

  it('fails the read with "Operation not permitted" with Override', async () => {
    const cat = await run('cat', [decoy('denied')]);
    assert.equal(cat.code, 1);
    assert.equal(cat.stdout, '');
    assert.match(cat.stderr, /Operation not permitted/);
    const event = await exportedFor('deny-readers', cat.pid);
    assert.equal(event.process_kprobe.action, 'KPROBE_ACTION_OVERRIDE');
  });

  it('fails a write with Override before any data reaches the file (ext4)', async () => {
    const echo = await run('sh', ['-c', `echo something.strange >> ${decoy('readonly')}`]);
    // dash's echo reports any failed write as "I/O error"; the errno is EPERM, as python shows.
    assert.notEqual(echo.code, 0);
    const python = await run('/usr/bin/python3', ['-c', `import os; os.write(os.open(${JSON.stringify(decoy('readonly'))}, os.O_WRONLY | os.O_APPEND), b"x")`]);
    assert.match(python.stderr, /PermissionError: \[Errno 1\] Operation not permitted/);
    assert.equal(await readFile(decoy('readonly'), 'utf8'), SECRET);
    const event = await exportedFor('deny-writers', echo.pid);
    assert.deepEqual(event.process_kprobe.args[1], { int_arg: 2 });
  });

  it("sends the Signal action's signal to the reader", async () => {
    const cat = await run('cat', [decoy('signalled')]);
    assert.equal(cat.signal, 'SIGTERM');
    const event = await exportedFor('term-readers', cat.pid);
    assert.equal(event.process_kprobe.action, 'KPROBE_ACTION_SIGNAL');
  });

  it('reports but does not enforce in monitor mode', async () => {
    const cat = await run('cat', [decoy('monitored')]);
    assert.equal(cat.code, 0);
    assert.equal(cat.stdout, SECRET);
    const event = await exportedFor('monitor-kill', cat.pid);
    assert.equal(event.process_kprobe.action, 'KPROBE_ACTION_POST');
  });

  it('matches the decoy reached through a hard link and through a bind mount in another mount namespace', async () => {
    const hardLink = join(dir, 'hard-link');
    await link(decoy('allowed'), hardLink);
    const viaLink = await run('head', ['-c', '2', hardLink]);
    assert.equal(viaLink.stdout, SECRET.slice(0, 2));
    const linked = await exportedFor('cat-allowed', viaLink.pid);
    assert.equal(fileArg(linked), hardLink, 'the name the accessor used');
    const target = join(dir, 'mount-target');
    await writeFile(target, '');
    // unshare runs sh in place, and sh execs head: the accessor keeps unshare's pid.
    const viaMount = await run('unshare', ['-m', 'sh', '-c', `mount --bind ${decoy('allowed')} ${target} && exec head -c 2 ${target}`]);
    assert.equal(viaMount.stdout, SECRET.slice(0, 2), viaMount.stderr);
    const mounted = await exportedFor('cat-allowed', viaMount.pid);
    assert.equal(mounted.process_kprobe.process.binary, '/usr/bin/head');
    assert.equal(fileArg(mounted), target);
  });

  it('does not hold the accessor while GetUrl waits for a slow receiver', async () => {
    const started = performance.now();
    const echo = await run('sh', ['-c', `echo x >> ${decoy('slow')}`]);
    const elapsed = performance.now() - started;
    assert.equal(echo.code, 0);
    await waitFor('the GetUrl to the slow receiver', () => canary.to('/slow').length > 0);
    // The receiver never answered while the shell ran; the sensor's own timeout is 5 s.
    assert.ok(elapsed < 2500, `the write took ${elapsed.toFixed(0)} ms`);
    await exportedFor('slow-canary', echo.pid);
  });
});
