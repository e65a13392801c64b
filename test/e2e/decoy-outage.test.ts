/**
 * Issue 4, point 5, with the real server: while the server is stopped the agent spools what it
 * sees; when the server is back every access arrives, none lost and none stored twice.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentProcess } from '../agent/support/agent-process.js';
import { run } from '../agent/sensors/helpers.js';
import { hitsOf, plant, startWorld, until, type DecoyWorld } from './decoy-support.js';

const READS_DURING_OUTAGE = 5;

describe('decoy hits across a server outage', () => {
  let world: DecoyWorld;
  let agent: AgentProcess;
  let tokenId: string;
  let decoy: string;

  before(async () => {
    world = await startWorld('tripline-e2e-outage-');
    decoy = join(world.dir, 'keys', 'id_ed25519');
    tokenId = (await plant(world, ['--kind', 'ssh-key', '--path', decoy, '--policy-dir', join(world.dir, 'policies')])).tokenId;
    chmodSync(join(world.dir, 'keys'), 0o755);
    agent = await AgentProcess.start([
      '--policy-dir', join(world.dir, 'policies'),
      '--server', world.server.url,
      '--agent-key', world.agentKey,
      '--spool-dir', join(world.dir, 'spool'),
      '--node-name', 'outage-host',
    ]);
  });

  after(async () => {
    await agent?.stop();
    await world?.server.stop();
    rmSync(world.dir, { recursive: true, force: true });
  });

  it('spools reads while the server is down and delivers each exactly once after it starts', async () => {
    const warmup = await run('cat', [decoy]);
    await until('the warm-up hit', async () => (await hitsOf(world, tokenId)).some((h) => h.detail.access?.process.pid === warmup.pid));

    await world.server.stop();
    const readers = [];
    for (let n = 0; n < READS_DURING_OUTAGE; n++) readers.push(await run('cat', [decoy]));
    const pids = new Set(readers.map((r) => r.pid));
    // What the agent saw of these readers: one log line per access it reported.
    const seen = await until('the agent to have seen every read', async () => {
      const lines = agent.logs.filter((l) => l.msg === 'watched file accessed' && pids.has(l.pid as number));
      return new Set(lines.map((l) => l.pid)).size === pids.size ? lines : undefined;
    });
    await agent.waitForLog((l) => /fail/.test(l.msg) && l.level >= 40, 20_000);

    const restartedAt = new Date().toISOString();
    await world.restartServer();
    const stored = await until(
      'every spooled read at the server',
      async () => {
        const hits = (await hitsOf(world, tokenId)).filter((h) => pids.has(h.detail.access?.process.pid ?? -1));
        return new Set(hits.map((h) => h.detail.access!.process.pid)).size === pids.size ? hits : undefined;
      },
      60_000,
    );
    // Events still in flight when the last pid arrived land within the agent's next batch.
    const all = await until('the last spooled events', async () => {
      const hits = (await hitsOf(world, tokenId)).filter((h) => pids.has(h.detail.access?.process.pid ?? -1));
      return hits.length >= seen.length ? hits : undefined;
    });
    assert.ok(stored.length <= all.length);
    assert.equal(all.length, seen.length, 'one hit per access the agent reported: none lost, none doubled');
    assert.equal(new Set(all.map((h) => h.id)).size, all.length);
    for (const hit of all) {
      assert.ok(hit.at < restartedAt, `seen during the outage (${hit.at}), stored after it`);
      assert.equal(hit.source, 'outage-host');
    }
    const agentRow = (await world.api('GET', '/agents')).body.items[0];
    assert.ok(agentRow.eventsAccepted >= seen.length + 1);
  });
});
