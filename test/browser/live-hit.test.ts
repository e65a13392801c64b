import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';

const fixture = browserFixture();

test('sign in, create a web bug, fire it with curl and see the hit arrive without a reload', async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);

  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByRole('radio', { name: /^http\b/ }).check();
  await page.getByLabel('Memo').fill('Web bug in the finance share README');
  await page.getByRole('button', { name: 'Create http token' }).click();

  const url = (await page.getByTestId('artifact-url').textContent()) ?? '';
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/.+/, 'the artifact is a trigger URL on this server');
  await page.getByRole('link', { name: 'Open token' }).click();
  await page.getByText('No hits yet').waitFor();
  assert.equal(await page.getByTestId('token-hit-count').textContent(), '0');

  // A reload or a navigation would replace this document and lose the mark. (Page code is given
  // as strings: these tests compile without the DOM library.)
  await page.evaluate('window.sameDocument = true');

  assert.equal(await curl(url, 'curl-live-test/8.0'), 200);

  const row = page.locator('tr.hit-row', { hasText: 'curl-live-test/8.0' });
  await row.waitFor({ timeout: 30_000 });
  await page.getByTestId('token-hit-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
  await page.getByTestId('chart-total').filter({ hasText: '1 hit in the last 48 hours' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');

  // The hit's detail opens in place and shows the request as recorded.
  await row.click();
  const detail = page.getByTestId('hit-detail');
  await detail.waitFor();
  assert.equal(await detail.getByTestId('hit-user-agent').textContent(), 'curl-live-test/8.0');

  // The tokens list counts the hit too, and a second hit arrives there live as well.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tokens' }).click();
  const listRow = page.locator('tr', { hasText: 'Web bug in the finance share README' });
  await listRow.getByTestId('hit-count').filter({ hasText: /^1$/ }).waitFor();
  assert.equal(await curl(url, 'curl-live-test/8.0'), 200);
  await listRow.getByTestId('hit-count').filter({ hasText: /^2$/ }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');

  assert.deepEqual(watch.errors, [], 'no script errors');
  assert.deepEqual(watch.cspViolations, [], 'the app itself needs nothing the policy forbids');
  assert.ok(
    watch.requestUrls.every((requested) => !requested.includes(server.key)),
    'the API key never appears in a URL',
  );
  assert.equal(await page.evaluate('window.localStorage.length'), 0, 'nothing is kept in localStorage');
});

test('a wrong key is refused, and signing out forgets the key', async () => {
  const { server, browser } = fixture;
  const { page } = await openPage(browser);
  await page.goto(`${server.adminUrl}/ui/`);
  await page.getByLabel('API key').fill('tpl_admin_not-a-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That API key is not valid.').waitFor();
  assert.equal(await page.evaluate('window.sessionStorage.length'), 0, 'a refused key is not kept');

  await page.getByLabel('API key').fill(server.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  // A reload keeps the session (the key is in this tab's sessionStorage) ...
  await page.reload();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  // ... and signing out ends it.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  assert.equal(await page.evaluate('window.sessionStorage.length'), 0, 'the key is forgotten');
  assert.ok(!page.url().includes(server.key));
});
