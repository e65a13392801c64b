import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../support/server.js';
import type { ServerOptions } from '../../../src/server/start.js';

/** Debian's chromium (make test installs it); no browser is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the built dashboard is; the server serves it from here. */
const DASHBOARD_INDEX = fileURLToPath(new URL('../../../web/dist/index.html', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: make test installs Debian's chromium (scripts/install-debian-packages.sh)`);
  if (!existsSync(DASHBOARD_INDEX)) throw new Error('the dashboard is not built: run `make web` (make test does) before the browser tests');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface BrowserFixture {
  server: TestServer;
  browser: Browser;
}

/** A server and a browser for the tests of one file: started before them, closed after. */
export function browserFixture(serverOptions: Partial<ServerOptions> = {}): BrowserFixture {
  const fixture = {} as BrowserFixture;
  before(async () => {
    fixture.server = await startTestServer(serverOptions);
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.close();
  });
  return fixture;
}

/** What a page did that a test may need to assert never happened. */
export interface PageWatch {
  /** Messages of alert/confirm/prompt dialogs the page opened. */
  dialogs: string[];
  /** Uncaught exceptions in the page. */
  errors: string[];
  /** Console messages about Content-Security-Policy violations (blocked scripts, styles ...). */
  cspViolations: string[];
  /** Every URL the page requested, to check that no secret ever went into one. */
  requestUrls: string[];
}

/** A fresh page (own context, so no storage is shared between tests) that records dialogs and errors. */
export async function openPage(browser: Browser): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const watch: PageWatch = { dialogs: [], errors: [], cspViolations: [], requestUrls: [] };
  page.on('request', (request) => watch.requestUrls.push(request.url()));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) watch.cspViolations.push(message.text());
  });
  return { page, watch };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Sections' }).waitFor();
  // Live updates are only promised once the event stream is up.
  await page.locator('[data-live-status="live"]').waitFor();
}
