/**
 * The agent's folded access log (src/agent/output/access-log.ts): the first access of a kind in
 * full, repeats counted into one line when the window ends, another execution or access kind in
 * full again.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { AccessLog } from '../../src/agent/output/access-log.js';
import type { FileAccessEvent } from '../../src/core/file-event.js';
import type { Match } from '../../src/policy/index.js';

function capture(): { lines: Record<string, any>[]; log: pino.Logger } {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: pino({ level: 'info' }, stream) };
}

function access(execId: string, pid: number, kind: FileAccessEvent['access']): FileAccessEvent {
  const process = {
    pid,
    uid: 0,
    auid: null,
    binary: '/usr/bin/cat',
    arguments: [],
    cwd: '/',
    startTime: new Date(0).toISOString(),
    execId,
    containerId: null,
    cgroup: '',
  };
  return { time: new Date().toISOString(), access: kind, path: '/decoy', dev: 1, ino: 2, permission: true, process, parent: null };
}

const match: Match = {
  policy: 'p',
  hook: 'security_file_permission',
  hookKind: 'kprobe',
  hookIndex: 0,
  selector: 0,
  actions: [{ action: 'Post' }],
  suppressed: [],
  args: [],
  tags: [],
} as unknown as Match;

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('repeats of one kind fold into one counted line; another execution or access is logged in full', async () => {
  const { lines, log } = capture();
  const accessLog = new AccessLog(log, { windowMs: 60_000 });
  for (let i = 0; i < 500; i++) accessLog.accessed(access('exec-a', 10, 'read'), '/decoy', match, ['post']);
  accessLog.accessed(access('exec-a', 10, 'open'), '/decoy', match, ['post']);
  accessLog.accessed(access('exec-b', 11, 'read'), '/decoy', match, ['post']);
  await settle();
  assert.deepEqual(
    lines.map((l) => [l.msg, l.pid, l.access]),
    [
      ['watched file accessed', 10, 'read'],
      ['watched file accessed', 10, 'open'],
      ['watched file accessed', 11, 'read'],
    ],
  );
  accessLog.close();
  await settle();
  const again = lines.filter((l) => l.msg === 'watched file accessed again');
  assert.equal(again.length, 1, 'kinds without repeats add no line');
  assert.equal(again[0]!.pid, 10);
  assert.equal(again[0]!.access, 'read');
  assert.equal(again[0]!.repeats, 499);
  assert.equal(again[0]!.binary, '/usr/bin/cat');
});

test('after a window ends the next access of a kind is logged in full again', async () => {
  const { lines, log } = capture();
  const accessLog = new AccessLog(log, { windowMs: 60_000 });
  accessLog.accessed(access('exec-a', 10, 'read'), '/decoy', match, ['post']);
  accessLog.flush();
  accessLog.accessed(access('exec-a', 10, 'read'), '/decoy', match, ['post']);
  accessLog.close();
  await settle();
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['watched file accessed', 'watched file accessed'],
  );
});

test('kinds beyond the limit are logged in full, never dropped', async () => {
  const { lines, log } = capture();
  const accessLog = new AccessLog(log, { windowMs: 60_000, maxKinds: 2 });
  for (let round = 0; round < 2; round++) for (let pid = 1; pid <= 4; pid++) accessLog.accessed(access(`exec-${pid}`, pid, 'read'), '/decoy', match, ['post']);
  accessLog.close();
  await settle();
  const full = lines.filter((l) => l.msg === 'watched file accessed').map((l) => l.pid);
  assert.deepEqual(full, [1, 2, 3, 4, 3, 4]);
  const again = lines.filter((l) => l.msg === 'watched file accessed again').map((l) => [l.pid, l.repeats]);
  assert.deepEqual(again, [
    [1, 1],
    [2, 1],
  ]);
});
