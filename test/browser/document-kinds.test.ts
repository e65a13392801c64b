/**
 * The dashboard creates document tokens, from the user's own file too, hands out their bytes to
 * download (previewing the QR code from its own bytes), and shows what the kind read from a hit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';

const fixture = browserFixture();

test("a word token from the user's own document: created in the form, downloaded as bytes, its hit shows the reader", async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);

  const template = zipSync({
    '[Content_Types].xml': strToU8('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'word/document.xml': strToU8(
      '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Layoff list</w:t></w:r></w:p></w:body></w:document>',
    ),
  });
  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByRole('radio', { name: /^word\b/ }).check();
  await page.getByLabel('Memo').fill('HR share: layoff list');
  await page.getByLabel(/Your own \.docx/).setInputFiles({ name: 'layoffs.docx', mimeType: 'application/octet-stream', buffer: Buffer.from(template) });
  await page.getByRole('button', { name: 'Create word token' }).click();

  const binary = page.getByTestId('artifact-binary');
  await binary.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), binary.getByRole('button', { name: 'Download' }).click()]);
  assert.match(download.suggestedFilename(), /\.docx$/);
  const files = unzipSync(readFileSync((await download.path())!));
  assert.match(strFromU8(files['word/document.xml']!), /<w:t>Layoff list<\/w:t>.*r:link=/);
  const url = (await page.getByTestId('artifact-url').textContent()) ?? '';
  assert.match(strFromU8(files['word/_rels/document.xml.rels']!), new RegExp(`Target="${url.replace(/[.]/g, '\\.')}"`));

  await page.getByRole('link', { name: 'Open token' }).click();
  await page.getByText('No hits yet').waitFor();
  assert.equal(await curl(url, 'LibreOffice 7.4.7.2'), 200);
  const row = page.locator('tr.hit-row', { hasText: 'document opened with LibreOffice' });
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  const facts = page.getByTestId('hit-kind-facts');
  await facts.waitFor();
  assert.match((await facts.textContent()) ?? '', /Opened with\s*LibreOffice/);
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
  await page.context().close();
});

test('a qr token: the code is previewed from its own bytes, never from the trigger URL', async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByRole('radio', { name: /^qr\b/ }).check();
  await page.getByLabel('Memo').fill('Poster in the lobby');
  await page.getByLabel(/Caption/).fill('Guest Wi-Fi');
  await page.getByRole('button', { name: 'Create qr token' }).click();
  const preview = page.locator('img.artifact-preview');
  await preview.waitFor();
  // Page code as a function of an untyped element: these tests compile without the DOM library.
  const width = await preview.evaluate((img: { naturalWidth: number; complete: boolean }) => (img.complete ? img.naturalWidth : 0));
  assert.ok(width > 100, `the preview decoded (${width} px wide)`);
  const url = (await page.getByTestId('artifact-url').textContent()) ?? '';
  assert.deepEqual(
    watch.requestUrls.filter((requested) => requested.startsWith(new URL(url).origin)),
    [],
    'nothing fetched from the trigger listener',
  );
  const svg = page.locator('.artifact-file-content', { hasText: 'Guest Wi-Fi' });
  await svg.waitFor();
  assert.deepEqual(watch.cspViolations, []);
  await page.context().close();
});
