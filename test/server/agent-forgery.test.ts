/**
 * What a stolen agent key cannot do: report for another node, for a token none of its agent's
 * loaded policies names, or at a time ahead of the server's clock; and what every agent hit keeps
 * (the agent that sent it, when the server received it). Then the agent's own reporter against
 * the real server: a refused event is set aside and the rest of its batch still arrives.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { AgentApi } from '../../src/agent/report/agent-api.js';
import { HeartbeatSender } from '../../src/agent/report/heartbeat.js';
import { Reporter } from '../../src/agent/report/reporter.js';
import { REJECTED_DIR, Spool } from '../../src/agent/report/spool.js';
import type { AgentEvent, Heartbeat } from '../../src/core/agent-protocol.js';
import { waitFor } from '../support/wait.js';
import { storeDialects } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { accessEvent, callWith, heartbeat, loading, tamperEvent } from './agents-support.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function at(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString();
}

/** An access event happening `offsetMs` from now (by the agent's clock). */
function eventAt(tokenId: string, offsetMs: number, overrides: Record<string, unknown> = {}) {
  const event = accessEvent(tokenId, overrides);
  event.access.time = at(offsetMs);
  return event;
}

/** The value of one series of the server's /metrics, 0 while it has none. */
async function metric(server: TestServer, series: string): Promise<number> {
  const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const refusedSeries = (reason: string) => `tripline_agent_events_refused_total{reason="${reason}"}`;

for (const dialect of storeDialects()) {
  describe(`agent keys cannot forge (${dialect.name})`, () => {
    let server: TestServer;
    let agentKey: string;
    let agentId: string;
    /** Named by the agent's loaded policy. */
    let named: string;
    /** A file token the agent's policies do not name. */
    let foreign: string;
    /** A web bug named by the policy's GetUrl. */
    let webBug: string;
    /** Named too; the clock tests look at its hits alone. */
    let clocked: string;

    const hitsOf = async (tokenId: string) => (await server.api('GET', `/tokens/${tokenId}/hits?limit=500`)).body.items;
    const tokenOf = async (tokenId: string) => (await server.api('GET', `/tokens/${tokenId}`)).body;
    const fileToken = async (memo: string) =>
      (await server.api('POST', '/tokens', { kind: 'file', memo, options: { path: `/srv/${memo}` } })).body.id as string;
    const loadNamed = async () => {
      const response = await callWith(server, agentKey, 'POST', '/agents/heartbeat', loading([named, webBug, clocked]));
      assert.equal(response.status, 200, JSON.stringify(response.body));
    };

    before(async () => {
      server = await startTestServer({ db: await dialect.newLocation() });
      const enrolled = await server.api('POST', '/agents', { name: 'web-01' });
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      agentKey = enrolled.body.key;
      agentId = enrolled.body.id;
      assert.equal(enrolled.body.enrolledNode, 'web-01', 'the node defaults to the name');
      named = await fileToken('named');
      foreign = await fileToken('foreign');
      clocked = await fileToken('clocked');
      webBug = (await server.api('POST', '/tokens', { kind: 'http', memo: 'seed web bug' })).body.id;
      await loadNamed();
    });
    after(() => server.close());

    it('refuses events and heartbeats claiming another node than the one enrolled', async () => {
      const before = (await tokenOf(named)).hitCount;
      const counted = await metric(server, refusedSeries('other_node'));
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events: [accessEvent(named, { node: 'db-01' })] });
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.error, 'agent_report_refused');
      assert.equal(response.body.refused[0].reason, 'other_node');
      assert.match(response.body.message, /claims node "db-01"; this agent key is enrolled for node "web-01"/);
      const tamper = await callWith(server, agentKey, 'POST', '/agents/events', { events: [{ ...tamperEvent(named, 'deleted'), node: 'web-01 ' }] });
      assert.equal(tamper.status, 422, 'the node must match exactly');
      assert.equal((await tokenOf(named)).hitCount, before);

      const beat = await callWith(server, agentKey, 'POST', '/agents/heartbeat', heartbeat({ node: 'db-01' }));
      assert.equal(beat.status, 422, JSON.stringify(beat.body));
      assert.match(beat.body.message, /heartbeat refused: it claims node "db-01", but this agent key is enrolled for node "web-01"/);
      const agent = (await server.api('GET', `/agents/${agentId}`)).body;
      assert.equal(agent.node, 'web-01', 'the refused heartbeat changed nothing');
      assert.deepEqual(agent.policies[0].tokenIds, [named, webBug, clocked]);
      assert.equal(await metric(server, refusedSeries('other_node')), counted + 3);
    });

    it('fixes the node at enrolment when it differs from the name', async () => {
      const enrolled = await server.api('POST', '/agents', { name: 'db', node: 'db-01.prod.example.com' });
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      assert.equal(enrolled.body.enrolledNode, 'db-01.prod.example.com');
      const asName = await callWith(server, enrolled.body.key, 'POST', '/agents/heartbeat', heartbeat({ node: 'db' }));
      assert.equal(asName.status, 422);
      const asNode = await callWith(server, enrolled.body.key, 'POST', '/agents/heartbeat', heartbeat({ node: 'db-01.prod.example.com' }));
      assert.equal(asNode.status, 200, JSON.stringify(asNode.body));
      const bad = await server.api('POST', '/agents', { name: 'x', node: 'a\u0007b' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'node');
    });

    it('refuses events for a token none of its loaded policies names, and stores none of their batch', async () => {
      const counted = await metric(server, refusedSeries('token_not_loaded'));
      const alone = await callWith(server, agentKey, 'POST', '/agents/events', { events: [eventAt(foreign, -MINUTE)] });
      assert.equal(alone.status, 422, JSON.stringify(alone.body));
      assert.equal(alone.body.refused[0].reason, 'token_not_loaded');
      assert.match(alone.body.message, new RegExp(`token "${foreign}" is named by no policy this agent reports loaded`));
      // An event newer than the last heartbeat is refused for now (409: the agent retries), as a
      // heartbeat on its way might name the token; once one has come without it, for good.
      const current = accessEvent(foreign);
      assert.equal((await callWith(server, agentKey, 'POST', '/agents/events', { events: [current] })).status, 409);
      await loadNamed();
      const retried = await callWith(server, agentKey, 'POST', '/agents/events', { events: [current] });
      assert.equal(retried.status, 422, JSON.stringify(retried.body));

      const before = (await tokenOf(named)).hitCount;
      const good = accessEvent(named);
      const mixed = await callWith(server, agentKey, 'POST', '/agents/events', { events: [good, eventAt(foreign, -MINUTE)] });
      assert.equal(mixed.status, 422);
      assert.equal(mixed.body.refusedCount, 1);
      assert.equal((await tokenOf(named)).hitCount, before, 'nothing of a refused batch is stored');
      // What the agent does next: it sends the events one by one, and the good one goes in.
      const resent = await callWith(server, agentKey, 'POST', '/agents/events', { events: [good] });
      assert.deepEqual(resent.body, { accepted: 1, duplicates: 0, ignored: 0 });
      assert.equal((await tokenOf(foreign)).hitCount, 0);
      assert.equal(await metric(server, refusedSeries('token_not_loaded')), counted + 3);

      // A web bug a policy names (seed-style GetUrl) is the policy's, not refused; it fires through
      // its own URL, so an event for it is acknowledged and not stored.
      const web = await callWith(server, agentKey, 'POST', '/agents/events', { events: [accessEvent(webBug)] });
      assert.deepEqual(web.body, { accepted: 0, duplicates: 0, ignored: 1 });
    });

    it('takes the tokens of an older agent from its watched files', async () => {
      const older = heartbeat({
        policies: [{ file: '/etc/tripline/policies/f.yaml', name: 'f', ok: true, errors: [], warnings: [] }],
        watched: [{ path: '/srv/foreign', tokenId: foreign, ok: true }],
      });
      assert.equal((await callWith(server, agentKey, 'POST', '/agents/heartbeat', older)).status, 200);
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events: [accessEvent(foreign)] });
      assert.deepEqual(response.body, { accepted: 1, duplicates: 0, ignored: 0 });
      const refused = await callWith(server, agentKey, 'POST', '/agents/events', { events: [eventAt(named, -MINUTE)] });
      assert.equal(refused.status, 422, 'the new heartbeat replaced what it had loaded');
      await loadNamed();
    });

    it('answers 409 (retry) for a token a heartbeat still on its way may name', async () => {
      const fresh = (await server.api('POST', '/agents', { name: 'fresh-01' })).body;
      const event = accessEvent(named, { node: 'fresh-01' });
      const early = await callWith(server, fresh.key, 'POST', '/agents/events', { events: [event] });
      assert.equal(early.status, 409, JSON.stringify(early.body));
      assert.equal(early.body.refused[0].reason, 'token_not_yet_reported');
      assert.match(early.body.message, /send a heartbeat first/);
      const beat = await callWith(server, fresh.key, 'POST', '/agents/heartbeat', loading([named], { node: 'fresh-01' }));
      assert.equal(beat.status, 200, JSON.stringify(beat.body));
      const again = await callWith(server, fresh.key, 'POST', '/agents/events', { events: [event] });
      assert.deepEqual(again.body, { accepted: 1, duplicates: 0, ignored: 0 });
      const hit = (await hitsOf(named)).find((h: { id: string }) => h.id === event.id);
      assert.equal(hit.agentId, fresh.id);

      // Newer than its last heartbeat: a policy loaded since may name it. Older: refused for good.
      const newer = await callWith(server, fresh.key, 'POST', '/agents/events', { events: [eventAt(foreign, 2 * MINUTE, { node: 'fresh-01' })] });
      assert.equal(newer.status, 409);
      const older = await callWith(server, fresh.key, 'POST', '/agents/events', { events: [eventAt(foreign, -MINUTE, { node: 'fresh-01' })] });
      assert.equal(older.status, 422);
    });

    it('refuses an event time a day ahead of the server clock', async () => {
      const counted = await metric(server, refusedSeries('future_time'));
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events: [eventAt(named, DAY)] });
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.refused[0].reason, 'future_time');
      assert.match(response.body.message, /is more than 5 minutes ahead of the server's clock/);
      const tamper = tamperEvent(named, 'deleted');
      tamper.tamper.time = at(DAY);
      assert.equal((await callWith(server, agentKey, 'POST', '/agents/events', { events: [tamper] })).status, 422);
      assert.equal(await metric(server, refusedSeries('future_time')), counted + 2);
    });

    it('keeps each hit with its agent and receive time, and never moves the last-hit time ahead of the server', async () => {
      const ahead = eventAt(clocked, 3 * MINUTE);
      const sentAt = new Date().toISOString();
      const first = await callWith(server, agentKey, 'POST', '/agents/events', { events: [ahead] });
      assert.deepEqual(first.body, { accepted: 1, duplicates: 0, ignored: 0 });
      const answeredAt = new Date().toISOString();
      const hit = (await hitsOf(clocked)).find((h: { id: string }) => h.id === ahead.id);
      assert.equal(hit.agentId, agentId);
      assert.equal(hit.at, ahead.access.time, "the agent's time is kept as it said");
      assert.ok(hit.receivedAt >= sentAt && hit.receivedAt <= answeredAt, `received ${hit.receivedAt}, between ${sentAt} and ${answeredAt}`);
      const token = await tokenOf(clocked);
      assert.equal(token.lastHitAt, hit.receivedAt, 'the last-hit time is when it arrived, not the time ahead');

      const old = eventAt(clocked, -DAY);
      const second = await callWith(server, agentKey, 'POST', '/agents/events', { events: [old] });
      assert.deepEqual(second.body, { accepted: 1, duplicates: 0, ignored: 0 });
      const late = (await hitsOf(clocked)).find((h: { id: string }) => h.id === old.id);
      assert.equal(late.at, old.access.time, 'an event a day old is kept with its own time');
      assert.ok(late.receivedAt > late.at);
      assert.equal((await tokenOf(clocked)).lastHitAt, token.lastHitAt, 'an old event does not move the last-hit time back');
    });

    it("the agent's reporter sets a refused event aside and delivers the rest, sending its heartbeat first", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tripline-forgery-'));
      const log = pino({ level: 'silent' });
      const enrolled = (await server.api('POST', '/agents', { name: 'rep-01' })).body;
      const api = new AgentApi({ server: server.adminUrl, key: enrolled.key });
      const status = (): Heartbeat => loading([named], { node: 'rep-01' }) as Heartbeat;
      // Never started: only the reporter's wait for a heartbeat naming its tokens sends one.
      const beats = new HeartbeatSender(api, status, 60_000, log);
      const spool = await Spool.open(dir, log);
      const reporter = new Reporter(api, spool, log, { retryBaseMs: 20, beforeSend: (batch) => beats.covering(batch.map((e) => e.tokenId)) });
      const waited = await metric(server, refusedSeries('token_not_yet_reported'));
      try {
        const events = [eventAt(named, 0, { node: 'rep-01' }), eventAt(named, DAY, { node: 'rep-01' }), eventAt(named, 0, { node: 'rep-01' })];
        for (const event of events) await reporter.submit(event as unknown as AgentEvent);
        await waitFor('the spool to empty', () => spool.size === 0);
        const stored = new Set((await hitsOf(named)).map((h: { id: string }) => h.id));
        assert.ok(stored.has(events[0]!.id) && stored.has(events[2]!.id), 'the good events arrived');
        assert.equal(stored.has(events[1]!.id), false);
        const rejected = await readdir(join(dir, REJECTED_DIR));
        const setAside = (await Promise.all(rejected.map((f) => readFile(join(dir, REJECTED_DIR, f), 'utf8')))).join('');
        assert.deepEqual(
          setAside
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l).id),
          [events[1]!.id],
        );
        assert.equal(await metric(server, refusedSeries('token_not_yet_reported')), waited, 'no event went out before its heartbeat');
        assert.equal((await server.api('GET', `/agents/${enrolled.id}`)).body.eventsAccepted, 2);
      } finally {
        await reporter.stop();
        await beats.stop();
        await spool.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
