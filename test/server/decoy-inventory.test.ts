/**
 * The decoy inventory from agents' heartbeats: a decoy reported watched is listed with its node,
 * path, inode, token and last verification; one that is reported gone after being watched
 * becomes one tamper hit on its token (and an alert) even with no tamper event from the agent;
 * one whose policy was removed is withdrawn without a hit. Copies of container decoys, which
 * agents report apart from their host decoys, are listed and judged the same way, per container.
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

    it("a decoy the agent saw go itself (its heartbeat says tamperReported) is missing, with no second hit beside the agent's own event", async () => {
      const before = (await hitsOf(server, other)).length;
      const seen = { path: ENV_PATH, tokenId: other, ok: false, error: `${ENV_PATH} is gone`, tamperReported: true };
      const answer = await beat([{ path: KEY_PATH, tokenId: token, ok: false, error: `${KEY_PATH} is gone` }, seen]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const env = (await decoys(`?token=${other}`))[0];
      assert.equal(env.state, 'missing');
      assert.equal((await hitsOf(server, other)).length, before, 'the agent reported the tamper event; the inventory adds none');
      await beat([
        { path: KEY_PATH, tokenId: token, ok: false, error: `${KEY_PATH} is gone` },
        { path: ENV_PATH, tokenId: other, ok: true },
      ]);
      assert.equal((await decoys(`?token=${other}`))[0].state, 'watched');
    });

    it('container decoy copies are listed per container with pod, path and inode; one gone after being planted is one tamper hit naming its pod', async () => {
      const copyToken = (
        await server.api('POST', '/tokens', { kind: 'file', memo: 'container decoy', options: { path: '/root/.aws/credentials', decoyKind: 'generic' } })
      ).body.id;
      const copy = (container: string, pod: string, state: string, inode: number | null, error?: string) => ({
        decoy: 'aws-creds',
        tokenId: copyToken,
        node: 'web-01',
        pod: { namespace: 'shop', name: pod, uid: `uid-${pod}` },
        container: { id: container.repeat(64), name: 'app' },
        path: '/root/.aws/credentials',
        inode,
        state,
        ...(error ? { error } : {}),
      });
      const send = async (containerDecoys?: unknown[]) => {
        const answer = await callWith(
          server,
          agentKey,
          'POST',
          '/agents/heartbeat',
          heartbeat({
            policies: [{ file: '/etc/tripline/policies/a.yaml', name: 'a', ok: true, errors: [], warnings: [], tokenIds: [token, other, copyToken] }],
            watched: [{ path: ENV_PATH, tokenId: other, ok: true }],
            ...(containerDecoys ? { containerDecoys } : {}),
          }),
        );
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      };
      const copies = async () => {
        const items = await decoys(`?token=${copyToken}`);
        return new Map<string, any>(items.map((d: any) => [d.container, d]));
      };

      await send([copy('a', 'cart-1', 'planted', 131077), copy('b', 'cart-2', 'planted', 131078), copy('c', 'cart-ro', 'refused', null, 'read-only root')]);
      let listed = await copies();
      assert.equal(listed.size, 3, 'one row per container, though the path is the same');
      const a = listed.get('a'.repeat(64));
      assert.equal(a.agent, 'web-01');
      assert.equal(a.node, 'web-01');
      assert.equal(a.pod, 'shop/cart-1');
      assert.equal(a.containerName, 'app');
      assert.equal(a.decoy, 'aws-creds');
      assert.equal(a.path, '/root/.aws/credentials');
      assert.equal(a.inode, '131077');
      assert.equal(a.state, 'watched');
      assert.ok(a.lastVerifiedAt);
      const refused = listed.get('c'.repeat(64));
      assert.equal(refused.state, 'unplanted', 'a copy never planted cannot go missing');
      assert.equal(refused.error, 'read-only root');
      const env = (await decoys(`?token=${other}`))[0];
      assert.equal(env.container, null, 'a host decoy has no container');
      assert.equal(env.pod, null);

      // A heartbeat without container support says nothing of the copies: none is withdrawn.
      await send();
      assert.deepEqual(
        [...(await copies()).values()].map((d: any) => d.state),
        ['watched', 'watched', 'unplanted'],
      );

      // Copy a is no longer there, twice over; pod cart-2 ended, taking its copy with it.
      const gone = copy('a', 'cart-1', 'failed', null, '/root/.aws/credentials is gone');
      await send([gone, copy('c', 'cart-ro', 'refused', null, 'read-only root')]);
      await send([gone, copy('c', 'cart-ro', 'refused', null, 'read-only root')]);
      listed = await copies();
      assert.equal(listed.get('a'.repeat(64)).state, 'missing');
      assert.equal(listed.get('a'.repeat(64)).inode, '131077', 'the inode it had is kept');
      assert.equal(listed.get('b'.repeat(64)).state, 'withdrawn');
      assert.equal(listed.get('c'.repeat(64)).state, 'unplanted');
      const hits = await hitsOf(server, copyToken);
      assert.equal(hits.length, 1, 'one hit, for the copy that went missing only');
      assert.equal(hits[0].detail.tamper.change, 'deleted');
      assert.equal(hits[0].detail.tamper.path, '/root/.aws/credentials');
      assert.match(hits[0].detail.summary, /missing from the agent's report: \/root\/\.aws\/credentials in pod shop\/cart-1, container app/);
      assert.equal((await alertsOf(server, copyToken)).length, 1);
      assert.equal((await decoys(`?token=${other}`))[0].state, 'watched', 'host decoys are untouched by copies');
    });

    it('a decoy whose policy was removed is withdrawn, without a hit', async () => {
      await beat([{ path: KEY_PATH, tokenId: token, ok: false, error: 'gone' }]);
      const env = (await decoys(`?token=${other}`))[0];
      assert.equal(env.state, 'withdrawn');
      assert.equal((await hitsOf(server, other)).length, 0);
    });
  });
}
