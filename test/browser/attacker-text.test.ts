import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';
import { createTokens, reportFileAccess } from './support/seed.js';

const USER_AGENT = '<img src=x onerror=alert(1)>';
const HEADER = '<script>alert(2)</script>';
const QUERY = 'q=<svg/onload=alert(3)>&n=\'"><b>bold</b>';

const fixture = browserFixture();

/** Counts elements the attacker's markup would have created had it been parsed as HTML. (Page
 * code is given as strings: these tests compile without the DOM library.) */
function injectedElements(page: Page): Promise<number> {
  return page.evaluate(`
    document.querySelectorAll('img[src="x"], [onerror], [onload], b').length +
    [...document.scripts].filter((script) => !script.src.includes('/ui/assets/')).length
  `);
}

test('a user agent carrying markup shows as text and runs nothing', async () => {
  const { server, browser } = fixture;
  const [token] = await createTokens(server, ['Decoy link in the admin wiki']);
  // One hit before the page is open (loaded through the API) ...
  assert.equal(await curl(`${token!.url}?${QUERY}`, USER_AGENT, { 'X-Note': HEADER }), 200);

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: token!.memo }).click();
  const rows = page.locator('tr.hit-row');
  await rows.first().waitFor();

  // ... and one while it is open (pushed over the event stream).
  assert.equal(await curl(`${token!.url}?${QUERY}`, USER_AGENT, { 'X-Note': HEADER }), 200);
  await page.locator('tr.hit-row').nth(1).waitFor({ timeout: 30_000 });

  const shownAgents = await page.getByTestId('hit-row-user-agent').allTextContents();
  assert.deepEqual(shownAgents, [USER_AGENT, USER_AGENT], 'both hits show the user agent as the literal text');

  await rows.first().click();
  const detail = page.getByTestId('hit-detail');
  await detail.waitFor();
  assert.equal(await detail.getByTestId('hit-user-agent').textContent(), USER_AGENT);
  assert.ok(await detail.getByText(HEADER, { exact: true }).isVisible(), 'the header value is visible as text');
  assert.ok(await detail.getByText(QUERY, { exact: true }).isVisible(), 'the query is visible as text');
  assert.ok(await page.getByText(USER_AGENT, { exact: true }).first().isVisible(), 'the user agent is visible as text');

  assert.equal(await injectedElements(page), 0, 'no element from the attacker input exists in the DOM');
  assert.deepEqual(watch.dialogs, [], 'no dialog was opened');
  assert.deepEqual(watch.errors, []);
});

test('process arguments from a file hit show as text and run nothing', async () => {
  const { server, browser } = fixture;
  const created = await server.api('POST', '/tokens', { kind: 'file', memo: 'Decoy SSH key on db-01', options: { path: '/root/.ssh/id_ed25519' } });
  assert.equal(created.status, 201);
  await reportFileAccess(
    server,
    created.body.id,
    '/root/.ssh/id_ed25519',
    { binary: '/usr/bin/cat', arguments: ['/root/.ssh/id_ed25519', USER_AGENT] },
    { binary: '/bin/sh', arguments: ['-c', HEADER] },
    {
      decoyCopy: {
        decoy: 'ssh-key',
        pod: { namespace: 'shop', name: 'web-7d9f', uid: '0c1d2e3f-0000-4000-8000-000000000001' },
        container: { id: 'abc123', name: 'web' },
        path: '/root/.ssh/id_ed25519',
      },
    },
  );

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('link', { name: 'Decoy SSH key on db-01' }).click();
  await page.locator('tr.hit-row').first().click();
  const detail = page.getByTestId('hit-detail');
  await detail.waitFor();
  assert.deepEqual(await detail.getByTestId('process-binary').allTextContents(), ['/usr/bin/cat', '/bin/sh'], 'process and parent are shown');
  assert.equal(await detail.getByTestId('decoy-copy').textContent(), 'shop/web-7d9f (container web) /root/.ssh/id_ed25519', 'whose copy was touched');
  assert.ok(await detail.getByText(USER_AGENT, { exact: true }).isVisible(), "the process's argument is visible as text");
  assert.ok(await detail.getByText(HEADER, { exact: true }).isVisible(), "the parent's argument is visible as text");
  assert.equal(await injectedElements(page), 0, 'no element from the attacker input exists in the DOM');
  assert.deepEqual(watch.dialogs, [], 'no dialog was opened');
  assert.deepEqual(watch.errors, []);
});

test('the dashboard is served with a policy that forbids inline script', async () => {
  const { server } = fixture;
  const response = await fetch(`${server.adminUrl}/ui/tokens/anything`);
  assert.equal(response.status, 200);
  const csp = response.headers.get('content-security-policy') ?? '';
  for (const directive of ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
    assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
  }
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
});

test('an inline script in the page would be refused by that policy', async () => {
  const { server, browser } = fixture;
  // The control for the test above: the same page, with a script injected the way an XSS would
  // inject one, must not run it. Proves the policy is in force in this browser, not just sent.
  const { page, watch } = await openPage(browser);
  await page.goto(`${server.adminUrl}/ui/`);
  await page.getByLabel('API key').waitFor();
  const ran = await page.evaluate(`(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true; alert("inline")';
    document.body.append(script);
    return window.inlineRan === true;
  })()`);
  assert.equal(ran, false, 'the inline script did not run');
  assert.deepEqual(watch.dialogs, []);
  assert.ok(watch.cspViolations.length > 0, 'the browser reported the refusal');
});
