/**
 * The agent reporting to a server (a node:http server on loopback speaking the agent endpoints
 * of the protocol): hits for labelled policies, none for unlabelled ones, heartbeats carrying a
 * broken policy, tamper, and a server outage that loses and doubles nothing.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentEvent, Heartbeat } from '../../src/core/agent-protocol.js';
import { AgentProcess } from '../agent/support/agent-process.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';
import { policy } from '../agent/support/policies.js';
import { run, type RunResult, SECRET } from '../agent/sensors/helpers.js';
import { freePort } from '../support/ports.js';

const KEY = 'agent-key-e2e';
const TOKEN = 'k7dmz3vq2x4n5p6r7s2t3u4v5w';

describe('tripline agent --server: reporting', () => {
  let dir: string;
  let port: number;
  let server: HttpReceiver;
  let agent: AgentProcess;
  /** Events the server answered 200 for, across restarts of the server. */
  const delivered: AgentEvent[] = [];
  const heartbeats: Heartbeat[] = [];
  const decoy = (name: string) => join(dir, name);

  async function startServer(): Promise<HttpReceiver> {
    const s = await new HttpReceiver().start(port);
    s.behaviour = (r) => {
      if (r.headers.authorization !== `Bearer ${KEY}`) return { status: 401, body: { message: 'bad key' } };
      // Central policies: none, and nothing changes while the agent waits.
      if (r.path.startsWith('/api/v1/agents/policies')) return { status: 200, body: { version: 0, unchanged: true, policies: [] }, delayMs: 1000 };
      if (r.path === '/api/v1/agents/heartbeat') {
        heartbeats.push(r.body as Heartbeat);
        return { status: 200, body: {} };
      }
      const { events } = r.body as { events: AgentEvent[] };
      delivered.push(...events);
      return { status: 200, body: { accepted: events.length, duplicates: 0 } };
    };
    return s;
  }

  const hitsBy = (pid: number) => delivered.filter((e) => e.access?.process.pid === pid);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-report-'));
    await chmod(dir, 0o755);
    for (const name of ['key', 'other']) await writeFile(decoy(name), SECRET, { mode: 0o644 });
    await mkdir(decoy('nested'));
    await writeFile(decoy('nested/key'), SECRET, { mode: 0o644 });
    const policies = join(dir, 'policies');
    await mkdir(policies);
    await writeFile(join(policies, 'key.yaml'), policy({ name: 'ssh-key', path: decoy('key'), mask: '4', labels: { 'tripline/token': TOKEN } }));
    await writeFile(join(policies, 'other.yaml'), policy({ name: 'unlabelled', path: decoy('other'), mask: '4' }));
    await writeFile(join(policies, 'nested.yaml'), policy({ name: 'nested-key', path: decoy('nested/key'), mask: '4', labels: { 'tripline/token': TOKEN } }));
    await writeFile(
      join(policies, 'broken.yaml'),
      policy({ name: 'broken', path: decoy('other'), mask: '4' }).replace('index: 1\n        operator: Equal', 'index: 1\n        operator: Equalz'),
    );
    port = await freePort();
    server = await startServer();
    agent = await AgentProcess.start([
      '--policy-dir',
      policies,
      '--server',
      server.url(''),
      '--agent-key',
      KEY,
      '--spool-dir',
      join(dir, 'spool'),
      '--heartbeat-interval',
      '1s',
      '--node-name',
      'web-1',
    ]);
  });

  after(async () => {
    await agent?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a read of a labelled decoy as a hit with the process, and nothing for an unlabelled policy', async () => {
    const other = await run('cat', [decoy('other')]);
    const cat = await run('cat', [decoy('key')]);
    assert.equal(cat.stdout, SECRET);
    await waitFor('the hit at the server', () => hitsBy(cat.pid).length > 0);
    const hit = hitsBy(cat.pid)[0]!;
    assert.equal(hit.tokenId, TOKEN);
    assert.equal(hit.node, 'web-1');
    assert.equal(hit.policy, 'ssh-key');
    assert.equal(hit.hook, 'security_file_permission');
    assert.deepEqual(hit.actions, ['post']);
    assert.match(hit.id, /^[0-9a-z]{26}$/);
    assert.equal(hit.access?.access, 'read');
    assert.equal(hit.access?.path, decoy('key'));
    assert.equal(hit.access?.process.binary, '/usr/bin/cat');
    assert.equal(hit.access?.process.uid, 0);
    assert.equal(hitsBy(other.pid).length, 0, 'an unlabelled policy is not reported');
  });

  it('sends heartbeats naming the broken policy file and the watched decoys', async () => {
    const beat = await waitFor('a heartbeat', () => heartbeats.at(-1));
    assert.equal(beat.node, 'web-1');
    const broken = beat.policies.find((p) => p.file.endsWith('broken.yaml'));
    assert.equal(broken?.ok, false);
    assert.match(broken?.errors[0] ?? '', /broken\.yaml:\d+:\d+: spec\.kprobes\[0\]\.selectors\[0\]\.matchArgs\[1\]\.operator: /);
    const { inode, ...watched } = beat.watched.find((w) => w.path === decoy('key'))!;
    assert.deepEqual(watched, { path: decoy('key'), tokenId: TOKEN, ok: true });
    assert.match(inode ?? '', /^\d+:\d+$/, 'dev:ino, for the decoy inventory');
    assert.deepEqual(beat.policies.find((p) => p.name === 'ssh-key')?.tokenIds, [TOKEN], 'the tokens the server will take events for');
    assert.deepEqual(beat.policies.find((p) => p.name === 'unlabelled')?.tokenIds, []);
  });

  it('spools hits while the server is down and delivers each once when it is back', async () => {
    await server.stop();
    const readers: RunResult[] = [];
    for (let n = 0; n < 3; n++) readers.push(await run('cat', [decoy('key')]));
    await agent.waitForLog((l) => l.msg.startsWith('reporting to the server failed'));
    server = await startServer();
    await waitFor('the spooled hits', () => readers.every((r) => hitsBy(r.pid).length > 0), 20_000);
    const ids = delivered.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no event delivered twice');
  });

  it('reports a change to the decoy itself as tamper', async () => {
    await chmod(decoy('key'), 0o600);
    const tamper = await waitFor('the tamper event', () => delivered.find((e) => e.tamper?.change === 'mode_changed'));
    assert.equal(tamper.tokenId, TOKEN);
    assert.equal(tamper.tamper?.path, decoy('key'));
    assert.deepEqual(tamper.actions, []);
  });

  it('reports a renamed parent directory as tamper, and the decoy as unreachable in the heartbeat until it is back', async () => {
    const nested = decoy('nested/key');
    const mv = await run('mv', [decoy('nested'), decoy('nested.old')]);
    const tamper = await waitFor('the tamper event', () => delivered.find((e) => e.tamper?.change === 'unreachable' && e.tamper.path === nested));
    assert.equal(tamper.tamper?.process?.pid, mv.pid);
    const gone = await waitFor('a heartbeat showing the decoy unreachable', () =>
      heartbeats.findLast((b) => b.watched.some((w) => w.path === nested && !w.ok)),
    );
    assert.match(gone.watched.find((w) => w.path === nested)?.error ?? '', /no longer reachable at/);
    const count = heartbeats.length;
    await run('mv', [decoy('nested.old'), decoy('nested')]);
    await waitFor('a heartbeat showing it watched again', () => heartbeats.slice(count).findLast((b) => b.watched.some((w) => w.path === nested && w.ok)));
  });

  it('reports a deleted decoy as tamper, and as not watched in the heartbeat', async () => {
    await rm(decoy('key'));
    await waitFor('the deletion', () => delivered.find((e) => e.tamper?.change === 'deleted' && e.tamper.path === decoy('key')));
    const beat = await waitFor('a heartbeat showing the decoy gone', () => heartbeats.findLast((b) => b.watched.some((w) => w.path === decoy('key') && !w.ok)));
    assert.match(beat.watched.find((w) => w.path === decoy('key'))?.error ?? '', /is gone/);
  });
});
