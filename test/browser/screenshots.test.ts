import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchBrowser, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';
import { createTokens, recordPastHits } from './support/seed.js';

/** Screenshots land here (gitignored) for people to look at. */
const OUTPUT = fileURLToPath(new URL('../../test-output/browser/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let server: TestServer;
let browser: Browser;

before(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  server = await startTestServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

function assertPng(path: string): void {
  const bytes = readFileSync(path);
  assert.ok(bytes.length > 10_000, `${path} has content (${bytes.length} bytes)`);
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE, `${path} is a PNG`);
}

test('screenshots of the token list and a token detail page', async () => {
  const [finance, hr, , backup] = await createTokens(server, [
    'Web bug in the finance share README',
    'HR onboarding wiki: salary spreadsheet link',
    'Jenkins build log: fake artifact URL',
    'Backup server motd: restore portal link',
    'Confluence space "Incident response" page footer',
  ]);
  await recordPastHits(server, finance!, [0.2, 0.5, 1.1, 2, 2.2, 5, 9, 9.5, 14, 20, 21, 33, 40, 47]);
  await recordPastHits(server, hr!, [3, 30]);
  await recordPastHits(server, backup!, [26]);
  assert.equal(await curl(finance!.url, 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0'), 200);

  const { page, watch } = await openPage(browser);
  await signIn(page, server.url, server.key);

  const financeRow = page.locator('tr', { hasText: finance!.memo });
  await financeRow.getByTestId('hit-count').filter({ hasText: /^15$/ }).waitFor();
  const listShot = join(OUTPUT, 'token-list.png');
  await page.screenshot({ path: listShot, fullPage: true });
  assertPng(listShot);

  await financeRow.getByRole('link', { name: finance!.memo }).click();
  await page.getByTestId('chart-total').filter({ hasText: '15 hits in the last 48 hours' }).waitFor();
  const newest = page.locator('tr.hit-row').first();
  await newest.click();
  await page.getByTestId('hit-detail').waitFor();
  const detailShot = join(OUTPUT, 'token-detail.png');
  await page.screenshot({ path: detailShot, fullPage: true });
  assertPng(detailShot);

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tokens' }).click();
  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByLabel('Memo').fill('Slide deck: board meeting notes');
  await page.getByRole('button', { name: 'Create http token' }).click();
  await page.getByTestId('artifact-url').waitFor();
  const createdShot = join(OUTPUT, 'token-created.png');
  await page.screenshot({ path: createdShot, fullPage: true });
  assertPng(createdShot);

  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
});
