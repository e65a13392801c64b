/**
 * Reporting to the server (a node:http server on loopback standing in for Tripline's agent
 * endpoints): delivery, retry through an outage and a restart, none lost and none twice, and a
 * batch the server refuses kept aside.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { newRowId } from '../../src/core/ids.js';
import { AgentApi } from '../../src/agent/report/agent-api.js';
import type { AgentEvent } from '../../src/core/agent-protocol.js';
import { Reporter } from '../../src/agent/report/reporter.js';
import { REJECTED_DIR, Spool } from '../../src/agent/report/spool.js';
import { freePort } from '../support/ports.js';
import { HttpReceiver, type Received } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';

const log = pino({ level: 'silent' });
const KEY = 'agent-key-for-tests';

function event(tokenId: string): AgentEvent {
  return { id: newRowId(), tokenId, node: 'n', policy: 'p', hook: 'security_file_permission', actions: ['post'] };
}

/** Ids the server answered 200 for, in order. */
function accepted(server: HttpReceiver, statuses: Map<Received, number>): string[] {
  return server
    .to('/api/v1/agents/events')
    .filter((r) => statuses.get(r) === 200)
    .flatMap((r) => (r.body as { events: AgentEvent[] }).events.map((e) => e.id));
}

describe('Reporter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-reporter-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('sends with the agent key, retries a failing server, and delivers each event once', async () => {
    const server = await new HttpReceiver().start();
    const statuses = new Map<Received, number>();
    let failures = 2;
    server.behaviour = (r) => {
      const status = failures-- > 0 ? 503 : 200;
      statuses.set(r, status);
      return { status, body: status === 200 ? { accepted: 1, duplicates: 0 } : { message: 'busy' } };
    };
    const spool = await Spool.open(join(dir, 'retry'), log);
    const reporter = new Reporter(new AgentApi({ server: server.url(''), key: KEY }), spool, log, { retryBaseMs: 20 });
    const sent = event('t1');
    await reporter.submit(sent);
    await waitFor('delivery', () => spool.size === 0 && accepted(server, statuses).length > 0);
    assert.deepEqual(accepted(server, statuses), [sent.id]);
    assert.equal(server.attempts[0]!.headers.authorization, `Bearer ${KEY}`);
    assert.equal(server.attempts.length, 3);
    await reporter.stop();
    await spool.close();
    await server.stop();
  });

  it('keeps events through a server outage and an agent restart, then delivers every one once', async () => {
    const port = await freePort();
    const path = join(dir, 'outage');
    const api = new AgentApi({ server: `http://127.0.0.1:${port}`, key: KEY });
    const first = await Spool.open(path, log);
    const reporter = new Reporter(api, first, log, { retryBaseMs: 20, retryMaxMs: 100 });
    const before = ['a', 'b', 'c'].map(event);
    for (const e of before) await reporter.submit(e);
    assert.equal(first.size, 3, 'nothing reached a server that is down');
    await reporter.stop();
    await first.close();

    const server = await new HttpReceiver().start(port);
    const statuses = new Map<Received, number>();
    server.behaviour = (r) => {
      statuses.set(r, 200);
      return { status: 200, body: { accepted: 1, duplicates: 0 } };
    };
    const second = await Spool.open(path, log);
    const restarted = new Reporter(api, second, log, { retryBaseMs: 20 });
    restarted.kick();
    const later = event('d');
    await restarted.submit(later);
    await waitFor('all delivered', () => second.size === 0 && accepted(server, statuses).length >= 4);
    assert.deepEqual(
      accepted(server, statuses),
      [...before, later].map((e) => e.id),
    );
    await restarted.stop();
    await second.close();
    await server.stop();
  });

  it('moves an event the server refuses (400) to rejected/, delivers the rest of its batch, and goes on', async () => {
    const server = await new HttpReceiver().start();
    server.behaviour = (r) => {
      const ids = (r.body as { events: AgentEvent[] }).events.map((e) => e.tokenId);
      return ids.includes('bad') ? { status: 400, body: { message: 'bad event' } } : { status: 200, body: { accepted: ids.length, duplicates: 0 } };
    };
    const path = join(dir, 'rejected');
    const spool = await Spool.open(path, log);
    const reporter = new Reporter(new AgentApi({ server: server.url(''), key: KEY }), spool, log, { retryBaseMs: 20 });
    const batch = ['before', 'bad', 'after'].map(event);
    await Promise.all(batch.map((e) => spool.append(e)));
    reporter.kick();
    await waitFor('the bad event set aside', () => spool.size === 0);
    const delivered = server.attempts
      .filter((r) => !r.text.includes('"bad"'))
      .flatMap((r) => (r.body as { events: AgentEvent[] }).events.map((e) => e.tokenId));
    assert.deepEqual(delivered, ['before', 'after']);
    const rejected = await readdir(join(path, REJECTED_DIR));
    assert.equal(rejected.length, 1);
    assert.match(await readFile(join(path, REJECTED_DIR, rejected[0]!), 'utf8'), /"tokenId":"bad"/);
    await reporter.submit(event('good'));
    await waitFor('the next event sent', () => server.attempts.some((r) => r.text.includes('"good"')) && spool.size === 0);
    await reporter.stop();
    await spool.close();
    await server.stop();
  });

  it('sends a batch the server finds too large (413) event by event instead of retrying it forever', async () => {
    const server = await new HttpReceiver().start();
    server.behaviour = (r) => {
      const count = (r.body as { events: AgentEvent[] }).events.length;
      return count > 1 ? { status: 413, body: { message: 'Request body is too large' } } : { status: 200, body: { accepted: 1, duplicates: 0 } };
    };
    const path = join(dir, 'too-large');
    const spool = await Spool.open(path, log);
    const reporter = new Reporter(new AgentApi({ server: server.url(''), key: KEY }), spool, log, { retryBaseMs: 20 });
    await Promise.all(['one', 'two', 'three'].map(event).map((e) => spool.append(e)));
    reporter.kick();
    await waitFor('every event delivered', () => spool.size === 0);
    const delivered = server.attempts
      .filter((r) => (r.body as { events: AgentEvent[] }).events.length === 1)
      .map((r) => (r.body as { events: AgentEvent[] }).events[0]!.tokenId);
    assert.deepEqual(delivered.sort(), ['one', 'three', 'two']);
    await reporter.stop();
    await spool.close();
    await server.stop();
  });
});
