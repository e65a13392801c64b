/**
 * Central policies with a real server and two real agents on this host (db-host labelled role=db
 * by `agent label`, web-host enrolled with --label role=web): `policy apply --agent-label role=db`
 * reaches only db-host, within 2 s; a name clash with a host policy file is reported with its
 * file, line and field; `policy delete` removes it; with the server stopped, db-host goes on
 * enforcing the last set across its own restart.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentProcess } from '../agent/support/agent-process.js';
import { AgentProcess as Agent } from '../agent/support/agent-process.js';
import { policy } from '../agent/support/policies.js';
import { run, SECRET } from '../agent/sensors/helpers.js';
import { runCli } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { startWorld, stopWorld, type DecoyWorld } from './decoy-support.js';

interface PolicyStatus {
  agent: string;
  state: string;
  errors: string[];
}

describe('central policies: policy apply, list, delete and two agents', () => {
  let world: DecoyWorld;
  let webKey: string;
  const agents: Record<string, AgentProcess> = {};
  const decoy = (name: string) => join(world.dir, name);

  function startAgent(node: string, key: string): Promise<AgentProcess> {
    return Agent.start([
      '--policy-dir',
      join(world.dir, node, 'policies'),
      '--state-dir',
      join(world.dir, node, 'state'),
      '--spool-dir',
      join(world.dir, node, 'spool'),
      '--server',
      world.server.adminUrl,
      '--agent-key',
      key,
      '--node-name',
      node,
      '--heartbeat-interval',
      '1s',
    ]);
  }

  async function cli(args: string[]): Promise<string> {
    const result = await runCli(args, world.env);
    assert.equal(result.code, 0, `tripline ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  const statuses = async (name: string): Promise<PolicyStatus[] | undefined> => {
    const items = JSON.parse(await cli(['policy', 'list', '--json'])) as { name: string; agents: PolicyStatus[] }[];
    return items.find((p) => p.name === name)?.agents;
  };

  /** The central policies an agent's last heartbeat names. */
  const reported = async (node: string): Promise<string[]> => {
    const { body } = await world.api('GET', '/agents');
    const agent = body.items.find((a: { name: string }) => a.name === node);
    return agent.policies.filter((p: { file: string }) => p.file.startsWith('server:')).map((p: { file: string }) => p.file);
  };

  const denyPolicy = () => policy({ name: 'deny-db-secret', path: decoy('db-secret'), mask: '4', actions: ['action: Override\n        argError: -1'] });

  before(async () => {
    world = await startWorld('tripline-fleet-', 'db-host');
    await writeFile(decoy('db-secret'), SECRET, { mode: 0o644 });
    for (const node of ['db-host', 'web-host']) await mkdir(join(world.dir, node, 'policies'), { recursive: true });
    // A host file whose name a central policy will clash with.
    await writeFile(join(world.dir, 'db-host', 'policies', 'local.yaml'), policy({ name: 'local-clash', path: decoy('db-secret'), mask: '2' }));
    const enrolled = JSON.parse(await cli(['agent', 'enroll', '--name', 'web-host', '--label', 'role=web', '--json']));
    assert.deepEqual(enrolled.labels, { role: 'web' });
    webKey = enrolled.key;
    const dbId = JSON.parse(await cli(['agent', 'list', '--json'])).find((a: { name: string }) => a.name === 'db-host').id;
    assert.match(await cli(['agent', 'label', dbId, 'role=db']), /labels: role=db/);
    agents['db-host'] = await startAgent('db-host', world.agentKey);
    agents['web-host'] = await startAgent('web-host', webKey);
  });

  after(async () => {
    for (const agent of Object.values(agents)) await agent.stop();
    await stopWorld(world);
  });

  it('policy apply --agent-label role=db reaches only the agent with that label, within 2 s', async () => {
    await writeFile(join(world.dir, 'deny.yaml'), denyPolicy());
    assert.match(await cli(['policy', 'apply', '-f', join(world.dir, 'deny.yaml'), '--agent-label', 'role=db']), /applied deny-db-secret/);
    const status = await waitFor(
      'db-host reporting the policy loaded',
      async () => (await statuses('deny-db-secret'))?.find((s) => s.state === 'loaded'),
      2_000,
      50,
    );
    assert.equal(status.agent, 'db-host');
    assert.deepEqual(
      (await statuses('deny-db-secret'))!.map((s) => s.agent),
      ['db-host'],
      'only the labelled agent is targeted',
    );
    assert.deepEqual(await reported('web-host'), []);
    const cat = await run('cat', [decoy('db-secret')]);
    assert.notEqual(cat.code, 0, 'the read is refused by the central policy');
    assert.match(cat.stderr, /Operation not permitted/);
  });

  it('a central policy clashing with a host policy file is reported with its file, line and field', async () => {
    await writeFile(join(world.dir, 'clash.yaml'), policy({ name: 'local-clash', path: decoy('db-secret'), mask: '4' }));
    await cli(['policy', 'apply', '-f', join(world.dir, 'clash.yaml'), '--agent', 'db-host']);
    const status = await waitFor('the clash reported', async () => (await statuses('local-clash'))?.find((s) => s.state === 'error'));
    assert.equal(status.agent, 'db-host');
    assert.match(status.errors[0]!, /^server:local-clash:\d+:\d+: metadata\.name: policy local-clash is already defined in .*local\.yaml$/);
    const listed = await cli(['policy', 'list']);
    assert.match(listed, /local-clash/);
    assert.match(listed, /db-host:error/);
  });

  it('policy delete removes it from the agent', async () => {
    await cli(['policy', 'delete', 'deny-db-secret']);
    await waitFor('db-host without the policy', async () => !(await reported('db-host')).includes('server:deny-db-secret'));
    const cat = await run('cat', [decoy('db-secret')]);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, SECRET);
    assert.equal(await statuses('deny-db-secret'), undefined);
  });

  it('with the server stopped, the agent keeps enforcing the last set across its own restart', async () => {
    await cli(['policy', 'apply', '-f', join(world.dir, 'deny.yaml'), '--agent-label', 'role=db']);
    await waitFor('the policy loaded again', async () => (await statuses('deny-db-secret'))?.find((s) => s.state === 'loaded'));
    await world.server.stop();
    assert.equal(await agents['db-host']!.stop(), 0);
    agents['db-host'] = await startAgent('db-host', world.agentKey);
    await agents['db-host'].waitForLog((l) => l.msg === 'central policies loaded from the state directory');
    const cat = await run('cat', [decoy('db-secret')]);
    assert.notEqual(cat.code, 0, 'still refused with the server down');
    assert.match(cat.stderr, /Operation not permitted/);
    await world.restartServer();
  });
});
