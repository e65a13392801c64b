/**
 * The dashboard with the credential listeners: create an ssh-key and an email token through the
 * form, use them, and read the hits in their own detail views.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { exchange, smtpSession } from '../server/listeners/support.js';
import { browserFixture, openPage, signIn } from './support/browser.js';

const any = { host: '127.0.0.1', port: 0 };
const fixture = browserFixture({ credentialListeners: { ssh: any, smtp: any, mailDomain: 'mail.example.test' } });

function sshLogin(port: number, privateKey: string, username: string): Promise<void> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    client.on('error', () => resolve());
    client.on('ready', () => resolve());
    client.connect({ host: '127.0.0.1', port, username, privateKey, readyTimeout: 10_000 });
  });
}

test('an ssh-key token made with the form shows its key and config, and its hit names the level and the user', async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByRole('radio', { name: /^ssh-key\b/ }).check();
  await page.getByLabel('Memo').fill('Key in the old laptop backup');
  await page.getByLabel('User (optional)').fill('deploy-bot');
  await page.getByRole('button', { name: 'Create ssh-key token' }).click();

  const artifact = page.getByTestId('artifact');
  await artifact.getByText('-----BEGIN OPENSSH PRIVATE KEY-----', { exact: false }).waitFor();
  const files = await artifact.locator('.artifact-file-name').allTextContents();
  assert.equal(files.length, 3);
  assert.match(files[0]!, /^id_ed25519_/);
  assert.deepEqual(files.slice(1), [`${files[0]}.pub`, 'config']);
  const privateKey = (await artifact.locator('.artifact-file-content').first().textContent()) ?? '';

  await page.getByRole('link', { name: 'Open token' }).click();
  await page.getByText('No hits yet').waitFor();
  await sshLogin(server.server.listeners.ssh!, privateKey, 'deploy-bot');
  const row = page.locator('tr.hit-row').first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  const detail = page.getByTestId('hit-detail');
  await detail.getByText('private key used (signed with the decoy key)').waitFor();
  await detail.getByText('deploy-bot', { exact: true }).waitFor();
  assert.deepEqual(watch.errors, [], 'no script errors');
});

test("an email token's address is in its artifact, and its hit shows sender, HELO, subject", async () => {
  const { server, browser } = fixture;
  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByRole('radio', { name: /^email\b/ }).check();
  await page.getByLabel('Memo').fill('Address in the CRM export');
  await page.getByRole('button', { name: 'Create email token' }).click();
  const address = (await page.getByTestId('artifact-address').textContent()) ?? '';
  assert.match(address, /^[a-z0-9-]+\.[a-z2-7]{26}@mail\.example\.test$/);

  await page.getByRole('link', { name: 'Open token' }).click();
  await page.getByText('No hits yet').waitFor();
  const reply = await exchange(server.server.listeners.smtp!, smtpSession(address, 'wire transfer today'), 5000, true);
  assert.match(reply.toString(), /250 Ok: queued as/);
  const row = page.locator('tr.hit-row').first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
  const detail = page.getByTestId('hit-detail');
  await detail.getByText('wire transfer today', { exact: true }).waitFor();
  await detail.getByText('client.example.test', { exact: true }).waitFor();
  await detail.getByText('sender@example.test', { exact: true }).first().waitFor();
  assert.deepEqual(watch.errors, [], 'no script errors');
});
