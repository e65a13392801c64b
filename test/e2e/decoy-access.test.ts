/**
 * Issue 4, point 2, end to end with real processes on the real kernel: a decoy SSH key planted
 * with `tripline decoy plant`, watched by the real `tripline agent`, read by cat, cp, python3,
 * through a hard link, a symbolic link, a bind mount in another mount namespace, and by another
 * user. Each read reaches the real server as a hit naming the right pid, binary and uid, with an
 * alert; changes to the decoy itself arrive as tamper hits.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentProcess } from '../agent/support/agent-process.js';
import { run, type RunResult } from '../agent/sensors/helpers.js';
import { hitsOf } from '../support/api.js';
import { waitFor } from '../support/wait.js';
import { hitsByPid, plant, startAgent, startWorld, stopWorld, type DecoyWorld, type Hit } from './decoy-support.js';

const PYTHON = '/usr/bin/python3';

describe('a planted decoy SSH key, watched by the agent, reported to the server', () => {
  let world: DecoyWorld;
  let agent: AgentProcess;
  let tokenId: string;
  let decoy: string;
  let decoyContent: string;
  let plantedMode: number;
  let policyText: string;
  const hardLink = () => join(world.dir, 'backup', 'id_ed25519.bak');
  const symLink = () => join(world.dir, 'shortcut');
  const mountPoint = () => join(world.dir, 'mnt-target');

  before(async () => {
    world = await startWorld('tripline-e2e-decoy-');
    decoy = join(world.dir, 'home', 'deploy', '.ssh', 'id_ed25519');
    const planted = await plant(world, ['--kind', 'ssh-key', '--path', decoy, '--policy-dir', join(world.dir, 'policies'), '--node', 'e2e-host']);
    tokenId = planted.tokenId;
    decoyContent = readFileSync(decoy, 'utf8');
    plantedMode = statSync(decoy).mode & 0o777;
    policyText = readFileSync(planted.policyFile, 'utf8');
    // Set up every route to the decoy before the agent watches it, so none of it is tamper.
    for (const d of [join(world.dir, 'home'), join(world.dir, 'home', 'deploy'), join(world.dir, 'home', 'deploy', '.ssh')]) chmodSync(d, 0o755);
    chmodSync(decoy, 0o644);
    mkdirSync(join(world.dir, 'backup'));
    linkSync(decoy, hardLink());
    symlinkSync(decoy, symLink());
    writeFileSync(mountPoint(), '');
    agent = await startAgent(world);
  });

  after(() => stopWorld(world, agent));

  /** Checks the reader's hits and that an alert covers them; returns the hits. */
  async function reported(reader: RunResult, binary: string, uid: number, path: string): Promise<Hit[]> {
    assert.equal(reader.code, 0, `the reader failed: ${reader.stderr}`);
    // The planted policy watches every way in: the open is a hit of its own, then the reads.
    const hits = await hitsByPid(world, tokenId, reader.pid, 'read');
    for (const hit of hits) {
      assert.equal(hit.source, 'e2e-host');
      assert.equal(hit.detail.access!.process.binary, binary);
      assert.equal(hit.detail.access!.process.uid, uid);
      assert.equal(hit.detail.access!.path, path);
      assert.ok(['open', 'read'].includes(hit.detail.access!.access), hit.detail.access!.access);
    }
    // Alerts group by token, binary and uid: the first hit of this binary and uid opened one,
    // and this reader's hits are inside its span.
    const alert = await waitFor(`an alert for ${binary} uid ${uid}`, async () => {
      const [alerts, all] = [(await world.api('GET', `/alerts?tokenId=${tokenId}`)).body.items, await hitsOf(world, tokenId)];
      return alerts.find((a: { firstHitId: string; lastHitAt: string }) => {
        const first = all.find((h) => h.id === a.firstHitId)?.detail.access?.process;
        return first?.binary === binary && first.uid === uid && a.lastHitAt >= hits[0]!.at;
      });
    });
    assert.equal(alert.tokenKind, 'file');
    return hits;
  }

  it('plants a key that ssh-keygen reads, mode 0600, and the policy that watches it', () => {
    assert.equal(plantedMode, 0o600);
    assert.match(policyText, new RegExp(`tripline/token: ${tokenId}`));
    assert.ok(policyText.includes(`- ${decoy}\n`), policyText);
    assert.match(decoyContent, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const copy = join(world.dir, 'parse-check');
    writeFileSync(copy, decoyContent, { mode: 0o600 });
    assert.match(execFileSync('ssh-keygen', ['-y', '-f', copy], { encoding: 'utf8' }), /^ssh-ed25519 AAAA/);
  });

  it('reports cat with its pid, binary and uid, and the content is read in full', async () => {
    const cat = await run('cat', [decoy]);
    assert.equal(cat.stdout, decoyContent);
    const [hit] = await reported(cat, '/usr/bin/cat', 0, decoy);
    assert.deepEqual(hit!.detail.access!.process.arguments, [decoy]);
  });

  it('reports cp', async () => {
    await reported(await run('cp', [decoy, join(world.dir, 'stolen')]), '/usr/bin/cp', 0, decoy);
  });

  it('reports python3 opening the file itself', async () => {
    const python = await run(PYTHON, ['-c', `open(${JSON.stringify(decoy)}).read()`]);
    await reported(python, realpathSync(PYTHON), 0, decoy);
  });

  it('reports a read through a hard link, under the link name', async () => {
    await reported(await run('cat', [hardLink()]), '/usr/bin/cat', 0, hardLink());
  });

  it('reports a read through a symbolic link, under the target', async () => {
    await reported(await run('cat', [symLink()]), '/usr/bin/cat', 0, decoy);
  });

  it('reports a read through a bind mount inside another mount namespace', async () => {
    // unshare and sh exec in place, and `exec cat` keeps the pid: the reader is the child we ran.
    const script = `mount --bind '${decoy}' '${mountPoint()}' && exec cat '${mountPoint()}'`;
    const reader = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script]);
    assert.equal(reader.stdout, decoyContent);
    await reported(reader, '/usr/bin/cat', 0, mountPoint());
  });

  it("reports another user with that user's uid", async () => {
    const reader = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', decoy]);
    assert.equal(reader.stdout, decoyContent);
    await reported(reader, '/usr/bin/cat', 65534, decoy);
  });

  it('reports a mode change, a rename, a replacement and a deletion of the decoy as tamper hits', async () => {
    const tamper = (change: string) =>
      waitFor(`a ${change} tamper hit`, async () => (await hitsOf(world, tokenId)).find((h) => h.detail.tamper?.change === change));
    chmodSync(decoy, 0o600);
    assert.equal((await tamper('mode_changed')).detail.tamper!.path, decoy);
    const aside = join(world.dir, 'home', 'deploy', '.ssh', 'moved');
    renameSync(decoy, aside);
    assert.equal((await tamper('renamed')).detail.tamper!.path, decoy);
    renameSync(aside, decoy);
    assert.equal((await tamper('replaced')).detail.tamper!.path, decoy);
    rmSync(decoy);
    const deleted = await tamper('deleted');
    assert.equal(deleted.detail.tamper!.path, decoy);
    assert.match(deleted.detail.summary ?? '', /^decoy deleted: /);
    const alerts = (await world.api('GET', `/alerts?tokenId=${tokenId}`)).body.items;
    const all = await hitsOf(world, tokenId);
    assert.ok(
      alerts.some((a: { firstHitId: string }) => all.find((h) => h.id === a.firstHitId)?.detail.tamper),
      'a tamper hit opened an alert of its own',
    );
  });

  it('lists the agent as online with its policy and the watched decoy', async () => {
    const agents = await waitFor('a heartbeat', async () => {
      const items = (await world.api('GET', '/agents')).body.items;
      return items[0]?.lastHeartbeat ? items : undefined;
    });
    assert.equal(agents.length, 1);
    assert.equal(agents[0].node, 'e2e-host');
    assert.equal(agents[0].online, true);
    assert.ok(agents[0].policies.some((p: { name: string; ok: boolean }) => p.name === `tripline-${tokenId}` && p.ok));
    assert.ok(agents[0].watched.some((w: { path: string; tokenId: string }) => w.path === decoy && w.tokenId === tokenId));
  });
});
