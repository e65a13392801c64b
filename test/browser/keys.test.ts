import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { fullPageShot } from './support/screenshot.js';

const fixture = browserFixture();

test('keys page: create a viewer key, see it once, use it read-only, revoke it', async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Keys' }).click();
  const envRow = page.locator('tr[data-key-id]', { hasText: 'TRIPLINE_ADMIN_KEY' });
  await envRow.waitFor();
  assert.match((await envRow.textContent()) ?? '', /admin/);
  assert.ok(!(await page.content()).includes(server.key), 'no key is ever shown after it was created');

  const form = page.getByRole('form', { name: 'Create an API key' });
  await form.getByLabel('Key name').fill('auditor');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Create key' }).click();
  await page.getByText('New viewer key for “auditor”: save it now, it is not shown again.').waitFor();
  const viewerKey = (await page.locator('.reveal code').textContent()) ?? '';
  assert.match(viewerKey, /^tpl_viewer_[A-Za-z0-9_-]{43}$/);
  const row = page.locator('tr[data-key-id]', { hasText: 'auditor' });
  assert.match((await row.textContent()) ?? '', new RegExp(`${viewerKey.slice(0, 13)}…`));
  await fullPageShot(page, 'keys-created.png');
  await page.getByRole('button', { name: 'Done' }).click();
  assert.equal(await page.locator('.reveal').count(), 0);
  assert.ok(!(await page.content()).includes(viewerKey), 'gone once dismissed');

  // The viewer key reads, but the server refuses it any change.
  const asViewer = await fetch(`${server.adminUrl}/api/v1/tokens`, { headers: { authorization: `Bearer ${viewerKey}` } });
  assert.equal(asViewer.status, 200);

  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Revoke key' }).click();
  await row.getByText('revoked').waitFor();
  await fullPageShot(page, 'keys-revoked.png');
  const afterRevoke = await fetch(`${server.adminUrl}/api/v1/tokens`, { headers: { authorization: `Bearer ${viewerKey}` } });
  assert.equal(afterRevoke.status, 401);
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
  assert.ok(
    watch.requestUrls.every((url) => !url.includes(viewerKey) && !url.includes(server.key)),
    'no key in a URL',
  );
});

test('agents page: enrolling shows the agent key once, and it is listed as an agent key', async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Agents' }).click();
  await page.getByLabel('Agent name').fill('db-01');
  await page.getByRole('button', { name: 'Enroll agent' }).click();
  await page.getByText('Agent key for “db-01”: save it now, it is not shown again.').waitFor();
  const agentKey = (await page.locator('.reveal code').textContent()) ?? '';
  assert.match(agentKey, /^tpl_agent_[A-Za-z0-9_-]{43}$/);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Keys' }).click();
  const row = page.locator('tr[data-key-id]', { hasText: 'db-01' });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', new RegExp(`${agentKey.slice(0, 12)}….*agent`));
  assert.deepEqual(watch.errors, []);
});
