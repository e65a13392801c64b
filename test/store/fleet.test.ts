/**
 * Migration 010's tables on both stores: central policies under one moving version (a deletion
 * moves it too), targets by name and label, and agent liveness that changes once however many
 * callers try the same change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { NotFoundError } from '../../src/core/errors.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { AgentRepository } from '../../src/store/repositories/agents.js';
import { FleetPolicyRepository, targets } from '../../src/store/repositories/fleet-policies.js';
import { storeDialects } from '../support/dialects.js';

for (const dialect of storeDialects()) {
  describe(`fleet tables (${dialect.name})`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await dialect.newLocation(), { log: pino({ level: 'silent' }) });
    });
    after(() => store.close());

    it('applies, replaces and deletes policies, each change under the next version', async () => {
      const policies = new FleetPolicyRepository(store.db);
      assert.equal(await policies.version(), 0);
      const all = { agents: [], labels: {} };
      assert.equal(await policies.apply([{ name: 'a', document: 'doc a', target: all }]), 1);
      assert.equal(await policies.apply([{ name: 'b', document: 'doc b', target: { agents: [], labels: { role: 'db' } } }]), 2);
      assert.equal(await policies.apply([{ name: 'a', document: 'doc a2', target: all }]), 3);
      assert.deepEqual(
        (await policies.list()).map((p) => [p.name, p.document, p.version]),
        [
          ['a', 'doc a2', 3],
          ['b', 'doc b', 2],
        ],
      );
      assert.equal(await policies.delete('a'), 4);
      assert.deepEqual(
        (await policies.list()).map((p) => p.name),
        ['b'],
      );
      await assert.rejects(policies.delete('a'), NotFoundError);
      assert.equal(await policies.version(), 4, 'a refused delete moves nothing');
      // Applied again after its deletion, it comes back under a new version.
      assert.equal(await policies.apply([{ name: 'a', document: 'doc a3', target: all }]), 5);
    });

    it('targets every agent, agents by name, or agents carrying every label given', () => {
      const db = { name: 'db-01', labels: { role: 'db', zone: 'eu' } };
      const web = { name: 'web-01', labels: { role: 'web' } };
      assert.ok(targets({ agents: [], labels: {} }, web));
      assert.ok(targets({ agents: ['web-01'], labels: {} }, web));
      assert.ok(!targets({ agents: ['web-01'], labels: {} }, db));
      assert.ok(targets({ agents: [], labels: { role: 'db', zone: 'eu' } }, db));
      assert.ok(!targets({ agents: [], labels: { role: 'db', zone: 'us' } }, db));
      assert.ok(!targets({ agents: [], labels: { role: 'db' } }, web));
    });

    it("changes an agent's liveness once, however many callers try the same change", async () => {
      const agents = new AgentRepository(store.db);
      const { agent } = await agents.enroll('node-1', 'node-1', { role: 'db' });
      assert.equal(agent.liveness, 'unknown');
      assert.deepEqual(agent.labels, { role: 'db' });
      const now = new Date().toISOString();
      assert.equal(await agents.changeLiveness(agent.id, ['unknown'], 'alive', now), true);
      const tries = await Promise.all([1, 2, 3].map(() => agents.changeLiveness(agent.id, ['alive'], 'silent', now)));
      assert.deepEqual(tries.filter(Boolean).length, 1);
      const silent = await agents.find(agent.id);
      assert.equal(silent?.liveness, 'silent');
      assert.equal(silent?.livenessAt, now);
      assert.deepEqual((await agents.setLabels(agent.id, { role: null, zone: 'eu' })).labels, { zone: 'eu' });
    });
  });
}
