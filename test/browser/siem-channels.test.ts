import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { launchBrowser, openPage, signIn } from './support/browser.js';

let server: TestServer;
let browser: Browser;
let receiver: HttpReceiver;

before(async () => {
  receiver = await new HttpReceiver().start();
  receiver.behaviour = () => ({ status: 200, body: { text: 'Success', code: 0 } });
  server = await startTestServer({ alerts: { allowPrivateTargets: true } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await receiver?.stop();
});

test('the channel form asks for each SIEM kind its own settings: a Splunk HEC channel added and tested, its token never shown', async () => {
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Channels' }).click();
  const form = page.getByRole('form', { name: 'Add a channel' });

  // Telegram's URL may stay empty (the public Bot API); its bot token and chat are asked for.
  await form.getByLabel('Kind').selectOption('telegram');
  assert.equal(await form.getByLabel('URL').getAttribute('required'), null);
  await form.getByLabel('Bot token').waitFor();
  await form.getByLabel('Chat', { exact: true }).waitFor();

  await form.getByLabel('Kind').selectOption('splunk');
  assert.equal(await form.getByLabel('Bot token').count(), 0, 'the other kind’s settings are gone');
  await form.getByLabel('Name (optional)').fill('SOC Splunk');
  await form.getByLabel('URL').fill(`http://127.0.0.1:${receiver.port}`);
  await form.getByLabel('HEC token').fill('hec-token-from-the-form');
  await form.getByLabel('Index (optional)').fill('security');
  await form.getByRole('button', { name: 'Add channel' }).click();

  const row = page.locator('tr[data-channel-id]', { hasText: 'SOC Splunk' });
  await row.waitFor();
  assert.ok(!(await page.content()).includes('hec-token-from-the-form'), 'the HEC token is not shown');
  await row.getByRole('button', { name: 'Send test' }).click();
  await row.getByText(/^Delivered/).waitFor({ timeout: 30_000 });
  const sent = receiver.received.find((r) => r.path === '/services/collector/event');
  assert.ok(sent, 'the HEC endpoint got the test alert');
  assert.equal(sent.headers.authorization, 'Splunk hec-token-from-the-form');
  assert.equal(sent.body.index, 'security');

  // A refusal names the field at fault next to it.
  await form.getByLabel('Kind').selectOption('syslog');
  await form.getByLabel('URL').fill('https://not-syslog.example.com');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await form.getByText(/url must use udp, tcp or tls/).waitFor();
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
});
