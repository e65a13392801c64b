/**
 * The decoy inventory from agents' heartbeats: a decoy reported watched is listed with its node,
 * path, inode, token and last verification; one that is reported gone after being watched
 * becomes one tamper hit on its token (and an alert) even with no tamper event from the agent;
 * one whose policy was removed is withdrawn without a hit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeDialects } from '../support/dialects.js';
import { alertsOf, hitsOf } from '../support/api.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { callWith, heartbeat } from './agents-support.js';

const KEY_PATH = '/home/alice/.ssh/id_ed25519';
const ENV_PATH = '/srv/app/.env';

for (const dialect of storeDialects()) {
  describe(`decoy inventory (${dialect.name})`, () => {
    let server: TestServer;
    let agentKey: string;
    let agentId: string;
    let token: string;
    let other: string;

    const beat = (watched: unknown[]) =>
      callWith(
        server,
        agentKey,
        'POST',
        '/agents/heartbeat',
        heartbeat({
          policies: [{ file: '/etc/tripline/policies/a.yaml', name: 'a', ok: true, errors: [], warnings: [], tokenIds: [token, other] }],
          watched,
        }),
      );
    const decoys = async (query = '') => (await server.api('GET', `/decoys${query}`)).body.items;

    before(async () => {
      server = await startTestServer({ db: await dialect.newLocation() });
      const enrolled = await server.api('POST', '/agents', { name: 'web-01' });
      agentKey = enrolled.body.key;
      agentId = enrolled.body.id;
      const created = async (path: string) =>
        (await server.api('POST', '/tokens', { kind: 'file', memo: `decoy ${path}`, options: { path, decoyKind: 'generic' } })).body.id;
      token = await created(KEY_PATH);
      other = await created(ENV_PATH);
    });
    after(() => server.close());

    it('lists each watched decoy with its node, path, inode, token and last verification, also per token', async () => {
      const answer = await beat([
        { path: KEY_PATH, tokenId: token, ok: true, inode: '2049:131075' },
        { path: ENV_PATH, tokenId: other, ok: true, inode: '2049:131076' },
      ]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const items = await decoys();
      assert.equal(items.length, 2);
      const key = items.find((d: { path: string }) => d.path === KEY_PATH);
      assert.equal(key.agentId, agentId);
      assert.equal(key.agent, 'web-01');
      assert.equal(key.node, 'web-01');
      assert.equal(key.tokenId, token);
      assert.equal(key.inode, '2049:131075');
      assert.equal(key.state, 'watched');
      assert.ok(key.lastVerifiedAt);
      assert.deepEqual(
        (await decoys(`?token=${token}`)).map((d: { path: string }) => d.path),
        [KEY_PATH],
      );
    });

    it('a decoy reported gone becomes one tamper hit and an alert, however many heartbeats repeat it', async () => {
      const gone = { path: KEY_PATH, tokenId: token, ok: false, error: `${KEY_PATH} is gone` };
      await beat([gone, { path: ENV_PATH, tokenId: other, ok: true }]);
      await beat([gone, { path: ENV_PATH, tokenId: other, ok: true }]);
      const key = (await decoys(`?token=${token}`))[0];
      assert.equal(key.state, 'missing');
      assert.equal(key.error, `${KEY_PATH} is gone`);
      const hits = await hitsOf(server, token);
      assert.equal(hits.length, 1);
      assert.equal(hits[0].detail.tamper.change, 'deleted');
      assert.equal(hits[0].detail.tamper.path, KEY_PATH);
      assert.match(hits[0].detail.summary, /missing from the agent's report/);
      assert.equal((await alertsOf(server, token)).length, 1);
    });

    it('a decoy whose policy was removed is withdrawn, without a hit', async () => {
      await beat([{ path: KEY_PATH, tokenId: token, ok: false, error: 'gone' }]);
      const env = (await decoys(`?token=${other}`))[0];
      assert.equal(env.state, 'withdrawn');
      assert.equal((await hitsOf(server, other)).length, 0);
    });
  });
}
