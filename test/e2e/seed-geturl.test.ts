/**
 * The tutorial's flow keeps its context: `tripline policy generate` for a web-bug token writes
 * the seed's GetUrl policy; with an enrolled agent reporting to the same server,
 * `echo something.strange >> FILE` becomes one hit on the web bug naming the shell's pid and
 * binary and the file, not a bare request from the agent. A GetUrl to any other URL is an
 * ordinary GET, as Tetragon's is.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentProcess } from '../agent/support/agent-process.js';
import { run } from '../agent/sensors/helpers.js';
import { hitsOf } from '../support/api.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { runCli } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { startAgent, startWorld, stopWorld, type DecoyWorld, type Hit } from './decoy-support.js';

describe("the seed's GetUrl policy for a web-bug token, with an enrolled agent", () => {
  let world: DecoyWorld;
  let agent: AgentProcess;
  let receiver: HttpReceiver;
  let token: { id: string; url: string };
  const file = () => join(world.dir, 'passwd');
  const other = () => join(world.dir, 'other');

  async function generate(tokenId: string, path: string): Promise<string> {
    const generated = await runCli(['policy', 'generate', '--token', tokenId, '--path', path, '--access', 'write'], world.env);
    assert.equal(generated.code, 0, generated.stderr);
    return generated.stdout;
  }

  before(async () => {
    world = await startWorld('tripline-seed-geturl-');
    receiver = await new HttpReceiver().start();
    await writeFile(file(), 'root:x:0:0:root:/root:/bin/bash\n', { mode: 0o644 });
    await writeFile(other(), 'x\n', { mode: 0o644 });
    const created = await world.api('POST', '/tokens', { kind: 'http', memo: 'seed web bug' });
    assert.equal(created.status, 201);
    token = created.body;
    await mkdir(join(world.dir, 'policies'));
    await writeFile(join(world.dir, 'policies', 'seed.yaml'), await generate(token.id, file()));
    // A second policy of the same shape whose GetUrl goes elsewhere (another canary service).
    const elsewhere = (await generate(token.id, other())).replace(token.url, receiver.url('/canary')).replace(/name: .*/, 'name: "elsewhere"');
    await writeFile(join(world.dir, 'policies', 'elsewhere.yaml'), elsewhere);
    agent = await startAgent(world, ['--log-level', 'debug']);
    // The server tells the agent its trigger URLs in its answer to the first heartbeat.
    await waitFor('the first heartbeat', async () => (await world.api('GET', '/agents')).body.items[0].lastHeartbeat);
  });

  after(async () => {
    await stopWorld(world, agent);
    await receiver?.stop();
  });

  it('echo something.strange >> FILE becomes one hit naming the shell pid, binary and the file', async () => {
    const shell = await run('sh', ['-c', `echo something.strange >> ${file()}`]);
    assert.equal(shell.code, 0, shell.stderr);
    const hits = await waitFor('the web bug hit', async () => {
      const found = (await hitsOf(world, token.id)) as Hit[];
      return found.length > 0 ? found : undefined;
    });
    const hit = hits[0]!;
    assert.equal(hit.detail.access?.process.pid, shell.pid);
    assert.match(hit.detail.access?.process.binary ?? '', /\/(sh|dash|bash)$/);
    assert.equal(hit.detail.access?.path, file());
    assert.equal(hit.detail.access?.access, 'write');
    assert.equal(hit.source, world.node);

    // The other policy's GetUrl is a plain GET, queued after the first would have been.
    const write = await run('sh', ['-c', `echo x >> ${other()}`]);
    assert.equal(write.code, 0);
    const get = await waitFor('the GET to the other URL', () => receiver.received.find((r) => r.path === '/canary'));
    assert.equal(get.headers['user-agent'], 'tripline-agent');
    await agent.waitForLog((l) => l.msg === 'geturl done' && l.target === receiver.url('/canary'));
    assert.equal((await hitsOf(world, token.id)).length, 1, 'one hit, not a second from a GET of the trigger URL');
    assert.equal(
      agent.logs.some((l) => typeof l.target === 'string' && l.target === token.url),
      false,
      'the trigger URL was never fetched',
    );
  });
});
