import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';
import { createTokens } from './support/seed.js';

// Sent by curl as raw UTF-8 bytes. Rendered as is, the user agent would read "reportexe.jpg".
const USER_AGENT = 'report\u202Egpj.exe\u200B';
const HEADER = 'left\u2066right\u2069\uFEFF';
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const fixture = browserFixture();

test('bidi overrides and zero-width characters in a hit are shown written out, loaded and live', async () => {
  const { server, browser } = fixture;
  const [token] = await createTokens(server, ['Decoy link with a disguised visitor']);
  assert.equal(await curl(token!.url, USER_AGENT, { 'X-Note': HEADER }), 200);

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: token!.memo }).click();
  await page.locator('tr.hit-row').first().waitFor();
  assert.equal(await curl(token!.url, USER_AGENT, { 'X-Note': HEADER }), 200);
  await page.locator('tr.hit-row').nth(1).waitFor({ timeout: 30_000 });

  const shown = 'report<U+202E>gpj.exe<U+200B>';
  assert.deepEqual(await page.getByTestId('hit-row-user-agent').allTextContents(), [shown, shown], 'the page load and the live hit');
  await page.locator('tr.hit-row').first().click();
  const detail = page.getByTestId('hit-detail');
  await detail.waitFor();
  assert.equal(await detail.getByTestId('hit-user-agent').textContent(), shown);
  assert.ok(await detail.getByText('left<U+2066>right<U+2069><U+FEFF>', { exact: true }).isVisible(), 'the header is shown written out');
  const text = String(await page.evaluate('document.body.innerText'));
  assert.doesNotMatch(text.replace(/[\n\t]/g, ''), HIDDEN, 'no hidden character reaches the page');
  assert.deepEqual(watch.errors, []);
});
