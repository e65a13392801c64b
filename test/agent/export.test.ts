/** Export: Tetragon's process_kprobe JSON shape, and the size-rotated export file. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { openExportSink } from '../../src/agent/export/export-sink.js';
import { joinArguments, modeString, toTetragon } from '../../src/agent/export/tetragon.js';
import { fileEvent, onePolicy } from '../policy/helpers.js';

const log = pino({ level: 'silent' });

const POLICY = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-readers
spec:
  kprobes:
  - call: security_file_permission
    message: decoy read
    tags: [decoy]
    args:
    - index: 0
      type: file
    - index: 1
      type: int
    selectors:
    - matchArgs:
      - index: 0
        operator: Equal
        values: [/srv/decoy/id_rsa]
      matchActions:
      - action: Sigkill
`;

describe('Tetragon export', () => {
  it('writes a process_kprobe event with process, parent, args and the action taken', () => {
    const policy = onePolicy(POLICY);
    const event = fileEvent('/srv/decoy/id_rsa', 'read', {
      process: { pid: 77, tid: 78, uid: 1000, auid: null, binary: '/usr/bin/cat', arguments: ['-n', 'my file'], containerId: 'abc123' },
      parent: { pid: 70, binary: '/usr/bin/bash', execId: 'cGFyZW50' },
    });
    const match = policy.evaluate(event)!;
    const out = toTetragon(event, match, 'node-1', 0o100600);
    assert.deepEqual(Object.keys(out), ['process_kprobe', 'node_name', 'time']);
    assert.equal(out.node_name, 'node-1');
    assert.equal(out.time, event.time);
    const k = out.process_kprobe;
    assert.deepEqual(k.process, {
      exec_id: event.process.execId,
      pid: 77,
      uid: 1000,
      cwd: event.process.cwd,
      binary: '/usr/bin/cat',
      arguments: '-n "my file"',
      flags: 'procFS',
      start_time: event.process.startTime,
      auid: 4294967295,
      docker: 'abc123',
      parent_exec_id: 'cGFyZW50',
      tid: 78,
    });
    assert.equal(k.parent?.pid, 70);
    assert.equal(k.parent?.binary, '/usr/bin/bash');
    assert.equal(k.function_name, 'security_file_permission');
    assert.deepEqual(k.args, [{ file_arg: { path: '/srv/decoy/id_rsa', permission: '-rw-------' } }, { int_arg: 4 }]);
    assert.equal(k.action, 'KPROBE_ACTION_SIGKILL');
    assert.equal(k.policy_name, 'kill-readers');
    assert.equal(k.message, 'decoy read');
    assert.deepEqual(k.tags, ['decoy']);
  });

  it('formats modes and arguments as Tetragon does', () => {
    assert.equal(modeString(0o100644), '-rw-r--r--');
    assert.equal(modeString(0o040755), 'drwxr-xr-x');
    assert.equal(joinArguments(['-c', 'echo a b']), '-c "echo a b"');
  });
});

describe('export file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-export-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('rotates at the size limit and keeps the configured number of old files', async () => {
    const path = join(dir, 'events.json');
    const sink = await openExportSink(path, { maxBytes: 100, keep: 2 }, log);
    for (let n = 0; n < 10; n++) {
      sink.write({ n, pad: 'x'.repeat(30) });
      // One line a batch, so each write decides about rotation on its own.
      await sink.flush();
    }
    await sink.close();
    assert.deepEqual((await readdir(dir)).sort(), ['events.json', 'events.json.1', 'events.json.2']);
    const lines = async (name: string) =>
      (await readFile(join(dir, name), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { n: number }).n);
    // 47 bytes a line: two fit under 100 bytes.
    assert.deepEqual(await lines('events.json'), [8, 9]);
    assert.deepEqual(await lines('events.json.1'), [6, 7]);
    assert.deepEqual(await lines('events.json.2'), [4, 5]);
  });
});
