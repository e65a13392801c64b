import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchBrowser, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { fullPageShot } from './support/screenshot.js';
import { createTokens } from './support/seed.js';

let server: TestServer;
let browser: Browser;
let receiver: HttpReceiver;

before(async () => {
  receiver = await new HttpReceiver().start();
  receiver.behaviour = () => ({ status: 503, body: 'receiver is down for maintenance' });
  // Deliveries give up after a second and a half here, so a failing channel reaches "gave up"
  // while the test watches; production keeps trying for a day.
  server = await startTestServer({ alerts: { allowPrivateTargets: true, maxAgeMs: 1_500, backoffBaseMs: 100, backoffMaxMs: 300, pollMs: 100 } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.stop();
});

test('add a channel, see its test fail, see the alert give up, retry it once the receiver works', async () => {
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Channels' }).click();
  const form = page.getByRole('form', { name: 'Add a channel' });
  await form.getByLabel('Kind').selectOption('webhook');
  await form.getByLabel('Name (optional)').fill('SOC webhook');
  await form.getByLabel('URL').fill(receiver.url('/hooks/tripline'));
  await form.getByRole('button', { name: 'Add channel' }).click();
  // The generated signing secret is shown once.
  await page.getByText('Save this now for “SOC webhook”').waitFor();

  const channelRow = page.locator('tr[data-channel-id]', { hasText: 'SOC webhook' });
  await channelRow.getByRole('button', { name: 'Send test' }).click();
  await channelRow.getByText(/^Failed \(503\)/).waitFor({ timeout: 30_000 });

  const [token] = await createTokens(server, ['Web bug in the release notes draft']);
  assert.equal(await curl(token!.url, 'curl/8.5.0'), 200);

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Alerts' }).click();
  const alertRow = page.locator('tr[data-alert-id]', { hasText: token!.memo });
  await alertRow.waitFor({ timeout: 30_000 });
  await alertRow.getByRole('button', { name: 'Show deliveries' }).click();
  const deliveryRow = page.locator('tr[data-delivery-id]', { hasText: 'SOC webhook' });
  // The page refreshes itself; the delivery fails until it is given up.
  await deliveryRow.getByText('gave up').waitFor({ timeout: 60_000 });
  assert.match((await deliveryRow.textContent()) ?? '', /503/, 'the last error is shown');

  // The channel now shows its failure.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Channels' }).click();
  await channelRow.getByText('1 given up').waitFor();
  assert.match((await channelRow.textContent()) ?? '', /503/, "the channel shows the failure's error");
  await fullPageShot(page, 'channels.png');

  receiver.behaviour = () => ({ status: 200, body: 'ok' });
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Alerts' }).click();
  await alertRow.getByRole('button', { name: 'Show deliveries' }).click();
  await deliveryRow.getByRole('button', { name: 'Retry' }).click();
  await deliveryRow.getByText('delivered').waitFor({ timeout: 60_000 });
  assert.ok(
    receiver.received.some((r) => r.text.includes(token!.id)),
    'the receiver got the alert for the token',
  );
  await fullPageShot(page, 'alerts.png');
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
});
