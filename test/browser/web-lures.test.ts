/**
 * Web lures in Debian's Chromium: the cloned-site snippet fires from a copy of the page on another
 * host and stays quiet on the expected one; the fingerprinting redirect records the browser and
 * lands on its target; a web bug with a custom image serves that image.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { greyscalePng } from '../../src/tokens/documents/png.js';
import { hitsOf } from '../support/api.js';
import { waitFor } from '../support/wait.js';
import { browserFixture, openPage } from './support/browser.js';

const fixture = browserFixture();

/** The site's pages: a start page linking to the login page, which carries the snippet; and a landing page. */
let site: Server;
let sitePort: number;
let snippet = '';
before(async () => {
  site = createServer((request, response) => {
    const pages: Record<string, string> = {
      '/start': '<!DOCTYPE html><html><body><a id="go" href="/login">Sign in</a></body></html>',
      '/login': `<!DOCTYPE html><html><body><form><input name="user"></form><script>${snippet}</script></body></html>`,
      '/landing': '<!DOCTYPE html><html><head><title>Landed</title></head><body>landed</body></html>',
    };
    const page = pages[(request.url ?? '/').split('?')[0]!];
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  sitePort = (site.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => site.close(() => resolve())));

test("the cloned-site snippet fires with the copy's location and referrer, and not on the expected host", async () => {
  const { server, browser } = fixture;
  const created = await server.api('POST', '/tokens', { kind: 'cloned-site', memo: 'login page', options: { hosts: 'localhost' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = created.body;
  snippet = token.artifact.file.content;
  const trigger = new URL(token.url).origin;

  // On the expected host: the page loads, the snippet runs, nothing is requested of the trigger.
  const home = await openPage(browser);
  await home.page.goto(`http://localhost:${sitePort}/start`);
  await Promise.all([home.page.waitForURL(/\/login$/), home.page.click('#go')]);
  await home.page.waitForLoadState('networkidle');
  assert.deepEqual(home.watch.errors, []);
  assert.deepEqual(
    home.watch.requestUrls.filter((url) => url.startsWith(trigger)),
    [],
  );

  // A copy served from another host (here 127.0.0.1): the snippet calls the token.
  const clone = await openPage(browser);
  await clone.page.goto(`http://127.0.0.1:${sitePort}/start`);
  await Promise.all([clone.page.waitForURL(/\/login$/), clone.page.click('#go')]);
  const [hit] = await waitFor("the cloned page's hit", async () => {
    const hits = await hitsOf(server, token.id);
    return hits.length > 0 && hits;
  });
  assert.equal(hit.summary, `page running on 127.0.0.1:${sitePort}`);
  assert.deepEqual(hit.facts.slice(0, 2), [
    { label: 'Page location', value: `http://127.0.0.1:${sitePort}/login` },
    { label: 'Referrer', value: `http://127.0.0.1:${sitePort}/start` },
  ]);
  assert.equal((await hitsOf(server, token.id)).length, 1, 'the visit on the expected host recorded nothing');
  await home.page.context().close();
  await clone.page.context().close();
});

test('the fingerprinting redirect records the browser and lands on its target', async () => {
  const { server, browser } = fixture;
  const landing = `http://127.0.0.1:${sitePort}/landing`;
  const created = await server.api('POST', '/tokens', { kind: 'http', memo: 'link in the wiki', redirect: landing, options: { fingerprint: true } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = created.body;
  const context = await browser.newContext({
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    viewport: { width: 1280, height: 720 },
    screen: { width: 1920, height: 1080 },
  });
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(token.url);
  await page.waitForURL(landing);
  assert.equal(await page.title(), 'Landed');
  const origins = new Set(requested.map((url) => new URL(url).origin));
  assert.deepEqual([...origins].sort(), [new URL(token.url).origin, `http://127.0.0.1:${sitePort}`].sort(), 'no third-party calls');
  const hits = await hitsOf(server, token.id);
  const fingerprinted = hits.find((hit: { summary: string }) => hit.summary.startsWith('browser fingerprint'));
  assert.ok(fingerprinted, `a fingerprinted hit among ${JSON.stringify(hits.map((h: { summary: string }) => h.summary))}`);
  const facts = Object.fromEntries(fingerprinted.facts.map((f: { label: string; value: string }) => [f.label, f.value]));
  assert.equal(facts['Time zone'], 'Europe/Berlin');
  assert.equal(facts.Language, 'de-DE');
  assert.equal(facts.Screen, '1920x1080');
  assert.equal(facts['Automated (webdriver)'], 'true');
  assert.ok(facts.Platform, 'the platform is recorded');
  await context.close();
});

test('a web bug with a custom image answers with that image, live and disabled alike', async () => {
  const { server, browser } = fixture;
  const image = greyscalePng(3, 2, Uint8Array.from([0, 64, 128, 192, 255, 32]));
  const created = await server.api('POST', '/tokens', { kind: 'http', memo: 'logo in the newsletter', options: { image: image.toString('base64') } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = created.body;
  const { page } = await openPage(browser);
  const response = await page.goto(token.url);
  assert.equal(response?.headers()['content-type'], 'image/png');
  assert.deepEqual(Buffer.from(await response!.body()), image);
  await server.api('PATCH', `/tokens/${token.id}`, { enabled: false });
  const disabled = await fetch(token.url);
  assert.deepEqual(Buffer.from(await disabled.arrayBuffer()), image);
  assert.equal((await hitsOf(server, token.id)).length, 1);
  await page.context().close();
});
