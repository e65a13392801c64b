import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeDialects } from '../support/dialects.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { accessEvent, callWith, heartbeat, loading, tamperEvent } from './agents-support.js';
import { modelHits } from '../support/model.js';

for (const dialect of storeDialects()) {
  describe(`agents API (${dialect.name})`, () => {
    let server: TestServer;
    let agentKey: string;
    let agentId: string;
    let fileToken: string;
    let location: string;

    before(async () => {
      location = await dialect.newLocation();
      server = await startTestServer({ db: location });
      const enrolled = await server.api('POST', '/agents', { name: 'web-01' });
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      agentKey = enrolled.body.key;
      agentId = enrolled.body.id;
      const token = await server.api('POST', '/tokens', {
        kind: 'file',
        memo: 'alice ssh key',
        options: { path: '/home/alice/.ssh/id_ed25519', decoyKind: 'ssh-key' },
      });
      assert.equal(token.status, 201, JSON.stringify(token.body));
      fileToken = token.body.id;
      // The agent's events are taken only for tokens its loaded policies name.
      const beat = await callWith(server, agentKey, 'POST', '/agents/heartbeat', loading([fileToken]));
      assert.equal(beat.status, 200, JSON.stringify(beat.body));
    });
    after(() => server.close());

    it('enrolls agents with an admin key only, and shows the agent key once', async () => {
      assert.match(agentKey, /^tpl_agent_[A-Za-z0-9_-]{43}$/);
      const listed = await server.api('GET', '/agents');
      const agent = listed.body.items.find((a: { id: string }) => a.id === agentId);
      assert.equal(agent.name, 'web-01');
      assert.equal('key' in agent, false, 'the key is never shown again');
      assert.equal((await callWith(server, agentKey, 'POST', '/agents', { name: 'sneaky' })).status, 403);
      assert.equal((await callWith(server, null, 'POST', '/agents', { name: 'anon' })).status, 401);
      const badName = await server.api('POST', '/agents', { name: '  ' });
      assert.equal(badName.status, 400);
      assert.equal(badName.body.field, 'name');
      assert.equal((await server.api('POST', '/agents', { name: 'x', role: 'admin' })).status, 400);
    });

    it('refuses agent keys on admin routes and admin keys on agent routes', async () => {
      for (const [method, path] of [
        ['GET', '/tokens'],
        ['POST', '/tokens'],
        ['GET', '/agents'],
        ['DELETE', `/agents/${agentId}`],
        ['GET', `/tokens/${fileToken}/hits`],
      ] as const) {
        const response = await callWith(server, agentKey, method, path, method === 'POST' ? { kind: 'http', memo: 'm' } : undefined);
        assert.equal(response.status, 403, `${method} ${path} with an agent key`);
        assert.match(response.body.message, /agent key cannot do this/);
      }
      const asAdmin = await callWith(server, server.key, 'POST', '/agents/events', { events: [accessEvent(fileToken)] });
      assert.equal(asAdmin.status, 403);
      assert.equal((await callWith(server, server.key, 'POST', '/agents/heartbeat', heartbeat())).status, 403);
      assert.equal((await callWith(server, null, 'POST', '/agents/events', { events: [] })).status, 401);
      assert.equal((await callWith(server, 'tpl_agent_forged', 'POST', '/agents/heartbeat', heartbeat())).status, 401);
    });

    it('stores each event as a hit on its file token, with the process and the agent, and raises an alert', async () => {
      const events = [accessEvent(fileToken), accessEvent(fileToken)];
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { accepted: 2, duplicates: 0, ignored: 0 });

      const hits = modelHits((await server.api('GET', `/tokens/${fileToken}/hits`)).body.items);
      const hit = hits.find((h: { id: string }) => h.id === events[0]!.id);
      assert.ok(hit, 'the event id is the hit id');
      assert.equal(hit.kind, 'file');
      assert.equal(hit.source, 'web-01');
      assert.equal(hit.userAgent, null);
      assert.equal(hit.at, events[0]!.access.time);
      assert.equal(hit.agentId, agentId);
      assert.ok(hit.receivedAt >= hit.at, 'the server received it after the agent saw it');
      assert.equal(hit.detail.node, 'web-01');
      assert.equal(hit.detail.hook, 'security_file_permission');
      assert.deepEqual(hit.detail.actions, ['post']);
      assert.equal(hit.detail.access.process.pid, 4242);
      assert.equal(hit.detail.access.process.uid, 1000);
      assert.equal(hit.detail.access.process.binary, '/usr/bin/cat');
      assert.equal(hit.detail.access.parent.binary, '/usr/bin/bash');
      assert.equal(hit.detail.summary, 'cat (pid 4242, uid 1000) read /home/alice/.ssh/id_ed25519');

      const alerts = (await server.api('GET', `/alerts?tokenId=${fileToken}`)).body.items;
      assert.ok(
        alerts.some((a: { firstHitId: string }) => a.firstHitId === events[0]!.id),
        'the first hit opened an alert',
      );
      const token = (await server.api('GET', `/tokens/${fileToken}`)).body;
      assert.ok(token.hitCount >= 2);
    });

    it('stores an access by a process that exited before it could be read', async () => {
      const vanished = {
        pid: 777,
        uid: -1,
        auid: null,
        binary: '',
        arguments: [],
        cwd: '',
        startTime: new Date(0).toISOString(),
        execId: '',
        containerId: null,
        cgroup: '',
      };
      const event = accessEvent(fileToken);
      event.access.process = vanished as unknown as typeof event.access.process;
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events: [event] });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.accepted, 1);
    });

    it('counts a resent event as a duplicate and never stores it twice', async () => {
      const events = [accessEvent(fileToken), accessEvent(fileToken)];
      const first = await callWith(server, agentKey, 'POST', '/agents/events', { events });
      assert.deepEqual(first.body, { accepted: 2, duplicates: 0, ignored: 0 });
      const before = (await server.api('GET', `/tokens/${fileToken}`)).body.hitCount;
      const again = await callWith(server, agentKey, 'POST', '/agents/events', { events: [...events, accessEvent(fileToken)] });
      assert.deepEqual(again.body, { accepted: 1, duplicates: 2, ignored: 0 });
      const inBatch = accessEvent(fileToken);
      const twice = await callWith(server, agentKey, 'POST', '/agents/events', { events: [inBatch, inBatch] });
      assert.deepEqual(twice.body, { accepted: 1, duplicates: 1, ignored: 0 });
      assert.equal((await server.api('GET', `/tokens/${fileToken}`)).body.hitCount, before + 2);
    });

    it('lets only one of two concurrent copies of a batch in', async () => {
      const events = Array.from({ length: 50 }, () => accessEvent(fileToken));
      const before = (await server.api('GET', `/tokens/${fileToken}`)).body.hitCount;
      const answers = await Promise.all([1, 2, 3].map(() => callWith(server, agentKey, 'POST', '/agents/events', { events })));
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(
        answers.reduce((n, a) => n + a.body.accepted, 0),
        50,
      );
      assert.equal(
        answers.reduce((n, a) => n + a.body.duplicates, 0),
        100,
      );
      assert.equal((await server.api('GET', `/tokens/${fileToken}`)).body.hitCount, before + 50);
    });

    it('stores an event once when two servers on one store take copies of it at the same moment', async () => {
      const replica = await startTestServer({ db: location, adminKey: server.key });
      try {
        const events = Array.from({ length: 50 }, () => accessEvent(fileToken));
        const before = (await server.api('GET', `/tokens/${fileToken}`)).body.hitCount;
        const answers = await Promise.all([server, replica, server, replica].map((s) => callWith(s, agentKey, 'POST', '/agents/events', { events })));
        for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(
          answers.reduce((n, a) => n + a.body.accepted, 0),
          50,
        );
        assert.equal(
          answers.reduce((n, a) => n + a.body.duplicates, 0),
          150,
        );
        assert.equal((await server.api('GET', `/tokens/${fileToken}`)).body.hitCount, before + 50);
      } finally {
        await replica.close();
      }
    });

    it('ignores events for unknown, disabled and non-file tokens without failing the batch', async () => {
      const http = (await server.api('POST', '/tokens', { kind: 'http', memo: 'web bug' })).body.id;
      const disabled = (await server.api('POST', '/tokens', { kind: 'file', memo: 'off', options: { path: '/srv/old' } })).body.id;
      await server.api('PATCH', `/tokens/${disabled}`, { enabled: false });
      const events = [
        accessEvent('a'.repeat(26)),
        accessEvent('not-a-token-id'),
        accessEvent(''),
        accessEvent(http),
        accessEvent(disabled),
        accessEvent(fileToken),
      ];
      // A policy may name a token since deleted, disabled or of another kind (a seed-style
      // policy's web bug): named, so not refused, but nothing to store.
      const named = await callWith(server, agentKey, 'POST', '/agents/heartbeat', loading([...events.map((e) => e.tokenId), fileToken]));
      assert.equal(named.status, 200, JSON.stringify(named.body));
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body, { accepted: 1, duplicates: 0, ignored: 5 });
      assert.equal((await server.api('GET', `/tokens/${http}`)).body.hitCount, 0);
      assert.equal((await server.api('GET', `/tokens/${disabled}`)).body.hitCount, 0);
    });

    it('stores tamper events as hits that say what happened to the decoy', async () => {
      const event = tamperEvent(fileToken, 'deleted');
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events: [event] });
      assert.deepEqual(response.body, { accepted: 1, duplicates: 0, ignored: 0 });
      const hits = (await server.api('GET', `/tokens/${fileToken}/hits?limit=500`)).body.items;
      const hit = hits.find((h: { id: string }) => h.id === event.id);
      assert.equal(hit.detail.tamper.change, 'deleted');
      assert.equal(hit.detail.tamper.process.binary, '/usr/bin/rm');
      assert.equal(hit.detail.summary, 'decoy deleted: /home/alice/.ssh/id_ed25519 by rm (pid 4242, uid 1000)');
      const alerts = (await server.api('GET', `/alerts?tokenId=${fileToken}`)).body.items;
      assert.ok(
        alerts.some((a: { firstHitId: string }) => a.firstHitId === event.id),
        'a tamper opens its own alert',
      );
    });

    it('answers a malformed batch with 400 naming the field, and stores none of it', async () => {
      const good = accessEvent(fileToken);
      const cases: [unknown, string][] = [
        [{}, 'events'],
        [{ events: 'x' }, 'events'],
        [{ events: [] }, 'events'],
        [{ events: [good, { ...accessEvent(fileToken), tokenId: undefined }] }, 'events.1.tokenId'],
        [{ events: [{ ...good, id: 'nope' }] }, 'events.0.id'],
        [{ events: [{ ...good, access: { ...good.access, process: { ...good.access.process, pid: '1' } } }] }, 'events.0.access.process.pid'],
        [{ events: [{ ...good, access: { ...good.access, access: 'sniff' } }] }, 'events.0.access.access'],
        [{ events: [{ ...good, access: { ...good.access, time: 'yesterday' } }] }, 'events.0.access.time'],
        [{ events: [{ ...good, access: undefined }] }, 'events.0.access'],
        [{ events: [{ ...good, tamper: tamperEvent(fileToken, 'deleted').tamper }] }, 'events.0.access'],
        [{ events: [{ ...tamperEvent(fileToken, 'exploded') }] }, 'events.0.tamper.change'],
        [{ events: Array.from({ length: 1001 }, () => accessEvent(fileToken)) }, 'events'],
      ];
      const before = (await server.api('GET', `/tokens/${fileToken}`)).body.hitCount;
      for (const [body, field] of cases) {
        const response = await callWith(server, agentKey, 'POST', '/agents/events', body);
        assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.field, field);
        assert.match(response.body.message, new RegExp(`^body\\.${field.replace(/\./g, '\\.')}`));
      }
      const notJson = await callWith(server, agentKey, 'POST', '/agents/events', undefined, '{"events": [');
      assert.equal(notJson.status, 400);
      assert.match(notJson.body.message, /not valid JSON/);
      assert.equal((await server.api('GET', `/tokens/${fileToken}`)).body.hitCount, before);
    });

    it('refuses a body over the limit with 413 before reading it all', async () => {
      const huge = `{"events": [${'"x",'.repeat(3_000_000)}"x"]}`;
      const response = await callWith(server, agentKey, 'POST', '/agents/events', undefined, huge);
      assert.equal(response.status, 413);
    });

    it('keeps what a newer agent adds but this server does not know out of the store', async () => {
      const event = { ...accessEvent(fileToken), futureField: 'x' };
      const response = await callWith(server, agentKey, 'POST', '/agents/events', { events: [event] });
      assert.deepEqual(response.body, { accepted: 1, duplicates: 0, ignored: 0 });
      const hits = (await server.api('GET', `/tokens/${fileToken}/hits?limit=500`)).body.items;
      assert.equal('futureField' in hits.find((h: { id: string }) => h.id === event.id).detail, false);
    });

    it('records heartbeats: GET /agents shows last seen, online, policies with errors, watched files', async () => {
      const beat = heartbeat();
      const response = await callWith(server, agentKey, 'POST', '/agents/heartbeat', beat);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(Object.keys(response.body), ['triggerUrl'], 'the answer tells the agent where its trigger URLs are');
      const agent = (await server.api('GET', `/agents/${agentId}`)).body;
      assert.equal(agent.node, 'web-01');
      assert.equal(agent.version, '0.1.0');
      assert.equal(agent.startedAt, beat.startedAt);
      assert.equal(agent.online, true);
      assert.ok(Date.now() - Date.parse(agent.lastSeen) < 60_000);
      assert.equal(agent.lastHeartbeat, agent.lastSeen);
      assert.deepEqual(agent.policies, beat.policies);
      assert.deepEqual(agent.watched, beat.watched);
      assert.ok(agent.eventsAccepted > 0);
      const listed = (await server.api('GET', '/agents')).body;
      assert.equal(listed.onlineWindowSeconds, 45);
      assert.equal(listed.items.find((a: { id: string }) => a.id === agentId).online, true);

      const bad = await callWith(server, agentKey, 'POST', '/agents/heartbeat', heartbeat({ policies: [{ file: 'x', ok: 'yes' }] }));
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'policies.0.name');
    });

    it('shows an agent that never reported as offline', async () => {
      const quiet = (await server.api('POST', '/agents', { name: 'quiet' })).body;
      const agent = (await server.api('GET', `/agents/${quiet.id}`)).body;
      assert.equal(agent.online, false);
      assert.equal(agent.lastSeen, null);
      assert.equal((await server.api('GET', '/agents/not-an-id')).status, 404);
    });

    it('revokes an agent: its key stops working at once', async () => {
      const spare = (await server.api('POST', '/agents', { name: 'spare', node: 'web-01' })).body;
      assert.equal((await callWith(server, spare.key, 'POST', '/agents/heartbeat', heartbeat())).status, 200);
      assert.equal((await server.api('DELETE', `/agents/${spare.id}`)).status, 204);
      assert.equal((await callWith(server, spare.key, 'POST', '/agents/heartbeat', heartbeat())).status, 401);
      assert.equal((await callWith(server, spare.key, 'POST', '/agents/events', { events: [accessEvent(fileToken)] })).status, 401);
      assert.equal((await server.api('GET', `/agents/${spare.id}`)).status, 404);
      assert.equal((await server.api('DELETE', `/agents/${spare.id}`)).status, 404);
    });
  });
}
