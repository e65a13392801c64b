/**
 * The dashboard shows a hit on a kind it has never heard of (defined only in
 * test/tokens/fixtures/throwaway-kind/) in that kind's own words: the hit list's summary and the
 * detail's "What" come from the kind, sent by the server with the hit, loaded and live.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { THROWAWAY_KIND } from '../tokens/fixtures/throwaway-kind/index.js';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';

const fixture = browserFixture();

test("a new kind's hits read as the kind describes them, loaded and live", async () => {
  const { server, browser } = fixture;
  const created = await server.api('POST', '/tokens', { kind: THROWAWAY_KIND, memo: 'Pixel in the offsite agenda', options: { beacon: 'agenda' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = created.body;
  assert.equal(await curl(token.url, 'AgendaReader/1.0'), 200);

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: token.memo }).click();
  await page.locator('tr.hit-row').first().waitFor();
  assert.equal(await curl(token.url, 'AgendaReader/2.0'), 200);
  await page.locator('tr.hit-row').nth(1).waitFor({ timeout: 30_000 });

  const rows = await page.locator('tr.hit-row').allTextContents();
  assert.ok(rows[0]!.includes('beacon agenda loaded by AgendaReader/2.0'), `the live hit: ${rows[0]}`);
  assert.ok(rows[1]!.includes('beacon agenda loaded by AgendaReader/1.0'), `the loaded hit: ${rows[1]}`);
  await page.locator('tr.hit-row').nth(1).click();
  const detail = page.getByTestId('hit-detail');
  await detail.waitFor();
  assert.equal(await detail.getByTestId('hit-summary').textContent(), 'beacon agenda loaded by AgendaReader/1.0');
  assert.deepEqual(watch.errors, []);
});
