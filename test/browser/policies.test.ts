/**
 * The Policies and Decoys pages in Chromium, against a real server whose agents report over the
 * agent protocol (heartbeats with agent keys): per-agent status of a central policy, including
 * one that an agent could not load with its file, line and field; and the decoy inventory, with a
 * container decoy's copy beside the host decoy of the same path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callApi } from '../support/api.js';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { fullPageShot } from './support/screenshot.js';
import { policy } from '../agent/support/policies.js';

const fixture = browserFixture();

function heartbeat(node: string, policies: unknown[], watched: unknown[] = [], containerDecoys?: unknown[]) {
  return { node, version: '0.1.0', startedAt: new Date().toISOString(), policies, watched, ...(containerDecoys ? { containerDecoys } : {}) };
}

/** A copy of a container decoy, as the agent's heartbeat reports it. */
const copy = {
  decoy: 'db-secret',
  tokenId: null,
  node: 'db-01',
  pod: { namespace: 'shop', name: 'db-0', uid: 'uid-db-0' },
  container: { id: 'd'.repeat(64), name: 'postgres' },
  path: '/srv/db/secret',
  inode: 4242,
  state: 'planted',
};

test('policies page: per-agent status of central policies, a failed one with its file, line and field; decoys page', async () => {
  const { server, browser } = fixture;
  const enroll = async (name: string, labels: Record<string, string>) => (await server.api('POST', '/agents', { name, labels })).body;
  const db = await enroll('db-01', { role: 'db' });
  const web = await enroll('web-01', { role: 'web' });
  const applied = await server.api('POST', '/policies', {
    file: 'deny.yaml',
    document: policy({ name: 'deny-db-secret', path: '/srv/db/secret', mask: '4' }),
    labels: { role: 'db' },
  });
  assert.equal(applied.status, 201, JSON.stringify(applied.body));
  await server.api('POST', '/policies', { file: 'all.yaml', document: policy({ name: 'local-clash', path: '/srv/x', mask: '4' }) });
  const clash = 'server:local-clash:4:9: metadata.name: policy local-clash is already defined in /etc/tripline/policies/local.yaml';
  const report = (file: string, name: string | null, errors: string[] = []) => ({ file, name, ok: errors.length === 0, errors, warnings: [] });
  const beat = async (key: string, body: unknown) => assert.equal((await callApi(server.adminUrl, key, 'POST', '/agents/heartbeat', { body })).status, 200);
  await beat(
    db.key,
    heartbeat(
      'db-01',
      [report('server:deny-db-secret', 'deny-db-secret'), report('server:local-clash', null, [clash])],
      [{ path: '/srv/db/secret', tokenId: null, ok: true, inode: '2049:77' }],
      [copy],
    ),
  );
  await beat(web.key, heartbeat('web-01', [report('server:local-clash', 'local-clash')]));

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Policies' }).click();
  const deny = page.locator('tr[data-policy-name="deny-db-secret"]');
  await deny.waitFor();
  assert.match((await deny.textContent()) ?? '', /role=db/);
  assert.equal(await deny.locator('li[data-agent]').count(), 1, 'only the labelled agent is targeted');
  assert.match((await deny.locator('li[data-agent="db-01"]').textContent()) ?? '', /loaded/);

  const clashRow = page.locator('tr[data-policy-name="local-clash"]');
  assert.match((await clashRow.textContent()) ?? '', /all agents/);
  const failed = clashRow.locator('li[data-agent="db-01"]');
  assert.match((await failed.textContent()) ?? '', /error/);
  assert.equal(await failed.locator('.error-text').textContent(), clash);
  assert.match((await clashRow.locator('li[data-agent="web-01"]').textContent()) ?? '', /loaded/);
  await fullPageShot(page, 'policies.png');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Decoys' }).click();
  const decoy = page.locator('tr[data-decoy-path="/srv/db/secret"][data-decoy-container=""]');
  await decoy.waitFor();
  const text = (await decoy.textContent()) ?? '';
  assert.match(text, /db-01/);
  assert.match(text, /host/);
  assert.match(text, /2049:77/);
  assert.match(text, /watched/);
  // The copy of the same path planted into a pod is its own row, naming the pod and container.
  const inPod = (await page.locator(`tr[data-decoy-path="/srv/db/secret"][data-decoy-container="${'d'.repeat(64)}"]`).textContent()) ?? '';
  assert.match(inPod, /shop\/db-0 · postgres/);
  assert.match(inPod, /4242/);
  assert.match(inPod, /watched/);
  await fullPageShot(page, 'decoys.png');
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
});
