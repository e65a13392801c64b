/**
 * Silence is an alert: a real server (--agent-silent-after 3s) and a real agent, a webhook
 * receiver as the default channel. SIGKILL raises "agent silent" naming the agent and its node,
 * the agent's return raises "agent back" with how long it was gone, SIGTERM raises "agent
 * stopped" (its last heartbeat said so), and the stopped agent never reads as silent.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentProcess } from '../agent/support/agent-process.js';
import { HttpReceiver, type Received } from '../support/http-receiver.js';
import { spawnServer } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { startAgent as startWorldAgent, startWorld, stopWorld, type DecoyWorld } from './decoy-support.js';

describe('agent silent, back and stopped reach a channel receiver', () => {
  let world: DecoyWorld;
  let receiver: HttpReceiver;
  let agent: AgentProcess | undefined;
  const NODE = 'silence-host';

  const agentAlerts = () => receiver.received.filter((r) => r.path === '/hook' && r.body?.token?.kind === 'agent');
  const alertMatching = (pattern: RegExp, after = 0) =>
    waitFor(
      `an agent alert matching ${pattern}`,
      () =>
        agentAlerts()
          .slice(after)
          .find((r: Received) => pattern.test(r.body.token.memo)),
      20_000,
    );

  const startAgent = () => startWorldAgent(world, ['--heartbeat-interval', '500ms']);

  before(async () => {
    receiver = await new HttpReceiver().start();
    world = await startWorld('tripline-silence-', NODE);
    // The world's server has the default silence time; this test wants a short one.
    await world.server.stop();
    world.server = await spawnServer([...world.listen, '--db', world.db, '--agent-silent-after', '3s', '--allow-private-targets'], {
      TRIPLINE_ADMIN_KEY: world.adminKey,
    });
    // A channel named for agents takes their alerts; the default channel then gets none of them.
    const channel = await world.api('POST', '/channels', {
      kind: 'webhook',
      url: receiver.url('/hook'),
      agents: true,
      secret: 'receiver-secret-0123456789abcdef',
    });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    const fallback = await world.api('POST', '/channels', {
      kind: 'webhook',
      url: receiver.url('/default'),
      default: true,
      secret: 'receiver-secret-0123456789abcdef',
    });
    assert.equal(fallback.status, 201, JSON.stringify(fallback.body));
    await mkdir(join(world.dir, 'policies'));
    agent = await startAgent();
    await waitFor('the agent alive at the server', async () => {
      const { body } = await world.api('GET', '/agents');
      return body.items.find((a: { liveness: string }) => a.liveness === 'alive');
    });
  });

  after(async () => {
    await stopWorld(world, agent);
    await receiver?.stop();
  });

  it('an agent killed with SIGKILL raises "agent silent" naming the agent and its node', async () => {
    await agent!.kill();
    const silent = await alertMatching(/^Agent silent: /);
    assert.match(silent.body.token.memo, new RegExp(`^Agent silent: ${NODE} on node ${NODE}, last heartbeat \\d{4}-`));
    assert.equal(silent.body.firstHit.source, NODE);
    assert.match(silent.body.token.url, /\/ui\/agents$/);
    const { body } = await world.api('GET', '/agents');
    assert.equal(body.items[0].liveness, 'silent');
    assert.equal(agentAlerts().length, 1, 'one alert for the silence, not one per check');
  });

  it('its return raises "agent back" with how long it was gone', async () => {
    const before = agentAlerts().length;
    agent = await startAgent();
    const back = await alertMatching(/^Agent back: /, before);
    assert.match(back.body.token.memo, new RegExp(`^Agent back: ${NODE} on node ${NODE} after (\\d+m )?\\d+s$`));
  });

  it('SIGTERM says so in the last heartbeat: "agent stopped", and no "agent silent" after it', async () => {
    const before = agentAlerts().length;
    assert.equal(await agent!.stop(), 0);
    agent = undefined;
    const stopped = await alertMatching(/^Agent stopped: /, before);
    assert.match(stopped.body.token.memo, new RegExp(`^Agent stopped: ${NODE} on node ${NODE} said it was stopping`));
    // Past the silence time, with the checks running: a stopped agent is not also silent.
    const { body } = await waitFor(
      'the stopped agent past its silence time',
      async () => {
        const answer = await world.api('GET', '/agents');
        const seen = answer.body.items[0];
        return Date.now() - Date.parse(seen.lastHeartbeat) > 4_000 ? answer : undefined;
      },
      10_000,
      250,
    );
    assert.equal(body.items[0].liveness, 'stopped');
    assert.equal(
      agentAlerts().slice(before).length,
      1,
      agentAlerts()
        .slice(before)
        .map((r) => r.body.token.memo)
        .join('\n'),
    );
    assert.equal(receiver.attempts.filter((r) => r.path === '/default').length, 0, 'agent alerts go to the agents channel, not the default one');
  });
});
