import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchBrowser, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';

let postgres: TestPostgres;
let a: TestServer;
let b: TestServer;
let browser: Browser;
before(async () => {
  postgres = await startPostgres();
  const db = await postgres.newDatabase();
  a = await startTestServer({ db });
  b = await startTestServer({ db, adminKey: a.key });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await b?.close();
  await a?.close();
  postgres?.stop();
});

test('a dashboard on replica B shows, without a reload, a hit fired at replica A', async () => {
  const token = (await a.api('POST', '/tokens', { kind: 'http', memo: 'Web bug behind two replicas' })).body as { id: string; url: string };
  assert.ok(token.url.startsWith(a.url), 'the artifact points at replica A');

  const { page, watch } = await openPage(browser);
  await signIn(page, b.adminUrl, b.key);
  await page.goto(`${b.adminUrl}/ui/tokens/${token.id}`);
  await page.getByText('No hits yet').waitFor();
  await page.locator('[data-live-status="live"]').waitFor();
  await page.evaluate('window.sameDocument = true');

  assert.equal(await curl(token.url, 'curl-replica-a/8.0'), 200);

  await page.locator('tr.hit-row', { hasText: 'curl-replica-a/8.0' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('token-hit-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');
  assert.deepEqual(watch.errors, [], 'no script errors');
});
