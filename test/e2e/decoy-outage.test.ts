/**
 * Issue 4, point 5, with the real server: while the server is stopped the agent spools what it
 * sees; when the server is back every access arrives, none lost and none stored twice.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentProcess } from '../agent/support/agent-process.js';
import { run } from '../agent/sensors/helpers.js';
import { hitsOf } from '../support/api.js';
import { waitFor } from '../support/wait.js';
import { plant, startAgent, startWorld, stopWorld, type DecoyWorld } from './decoy-support.js';

const READS_DURING_OUTAGE = 5;

describe('decoy hits across a server outage', () => {
  let world: DecoyWorld;
  let agent: AgentProcess;
  let tokenId: string;
  let decoy: string;

  before(async () => {
    world = await startWorld('tripline-e2e-outage-', 'outage-host');
    decoy = join(world.dir, 'keys', 'id_ed25519');
    tokenId = (await plant(world, ['--kind', 'ssh-key', '--path', decoy, '--policy-dir', join(world.dir, 'policies')])).tokenId;
    chmodSync(join(world.dir, 'keys'), 0o755);
    agent = await startAgent(world, ['--export', join(world.dir, 'export.jsonl')]);
  });

  /** Pids of the accesses the agent exported, one per access (its log folds repeats; the export does not). */
  const exportedPids = (): number[] =>
    readFileSync(join(world.dir, 'export.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { process_kprobe: { process: { pid: number } } }).process_kprobe.process.pid);

  after(() => stopWorld(world, agent));

  it('spools reads while the server is down and delivers each exactly once after it starts', async () => {
    const warmup = await run('cat', [decoy]);
    await waitFor('the warm-up hit', async () => (await hitsOf(world, tokenId)).some((h) => h.detail.access?.process.pid === warmup.pid));

    await world.server.stop();
    const readers = [];
    for (let n = 0; n < READS_DURING_OUTAGE; n++) readers.push(await run('cat', [decoy]));
    const pids = new Set(readers.map((r) => r.pid));
    // What the agent saw of these readers: one export line per access it reported.
    const seenNow = () => exportedPids().filter((pid) => pids.has(pid));
    await waitFor('the agent to have seen every read', async () => new Set(seenNow()).size === pids.size);
    // A read may be reported as more than one access (the open, then the read), and under load the
    // last of them can still be on its way: the outage ends only once the export has settled, so
    // every access reported is one the agent saw while the server was down.
    let settled = { lines: -1, since: Date.now() };
    await waitFor('the agent to have reported every access of those reads', async () => {
      const lines = seenNow().length;
      if (lines !== settled.lines) settled = { lines, since: Date.now() };
      return Date.now() - settled.since >= 1000;
    });
    await agent.waitForLog((l) => /fail/.test(l.msg) && l.level >= 40, 20_000);

    const restartedAt = new Date().toISOString();
    await world.restartServer();
    const stored = await waitFor(
      'every spooled read at the server',
      async () => {
        const hits = (await hitsOf(world, tokenId)).filter((h) => pids.has(h.detail.access?.process.pid ?? -1));
        return new Set(hits.map((h) => h.detail.access!.process.pid)).size === pids.size ? hits : undefined;
      },
      60_000,
    );
    // The spool is sent in order: once a read made now has arrived (and the agent's export of it,
    // which comes after its export of every earlier read), everything spooled before it has too.
    const sentinel = await run('cat', [decoy]);
    await waitFor('the read after the outage', async () => (await hitsOf(world, tokenId)).some((h) => h.detail.access?.process.pid === sentinel.pid));
    await waitFor('the export of the read after the outage', async () => exportedPids().includes(sentinel.pid));
    const all = (await hitsOf(world, tokenId)).filter((h) => pids.has(h.detail.access?.process.pid ?? -1));
    assert.equal(all.length, seenNow().length, 'one hit per access the agent reported: none lost, none doubled');
    assert.ok(stored.length <= all.length);
    assert.equal(new Set(all.map((h) => h.id)).size, all.length);
    for (const hit of all) {
      assert.ok(hit.at < restartedAt, `seen during the outage (${hit.at}), stored after it`);
      assert.equal(hit.source, 'outage-host');
    }
    const agentRow = (await world.api('GET', '/agents')).body.items[0];
    assert.ok(agentRow.eventsAccepted >= all.length + 2);
  });
});
