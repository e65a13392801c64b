import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { encodeQuery, udpExchange, ZONE } from '../dns/support.js';
import { LISTED, writeGeoDatabases } from '../support/geo-databases.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';
import { browserFixture, openPage, signIn } from './support/browser.js';
import { curl } from './support/curl.js';

const databases = writeGeoDatabases();
const fixture = browserFixture({
  trustProxy: ['127.0.0.1'],
  dns: { zone: ZONE, port: 0, addresses: ['127.0.0.1'] },
  enrichment: { geoipDb: databases.geoipDb, asnDb: databases.asnDb },
  alerts: { allowPrivateTargets: true, pollMs: 50 },
});
const receiver = new HttpReceiver();
after(async () => {
  await receiver.stop();
  databases.remove();
});

test('Activity shows hits of three kinds live with their place and network, filters to one token, and shows a muted hit with its rule', async () => {
  const { server, browser } = fixture;
  await receiver.start();
  const channel = (await server.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/activity'), default: true })).body.id;
  assert.ok(channel);
  const web = (await server.api('POST', '/tokens', { kind: 'http', memo: 'activity web bug', tags: ['finance'] })).body;
  const dns = (await server.api('POST', '/tokens', { kind: 'dns', memo: 'activity dns name' })).body;
  const kube = (await server.api('POST', '/tokens', { kind: 'kubeconfig', memo: 'activity kubeconfig' })).body;
  const rule = (await server.api('POST', '/noise-rules', { kind: 'known-scanners', note: 'link previews' })).body;

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Activity' }).click();
  await page.getByText('No hit matches.').waitFor();
  await page.evaluate('window.sameDocument = true');

  // Three kinds, one of them from the address the test databases list, and one a chat unfurler.
  assert.equal(await curl(web.url, 'curl/8.5.0 activity', { 'x-forwarded-for': LISTED.address }), 200);
  assert.ok(await udpExchange(server.server.dns!.port, encodeQuery(dns.hostname)));
  assert.equal(
    await curl(`${server.url}/k8s/clusters/c-${kube.id}/api?timeout=32s`, 'kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07', {
      authorization: 'Bearer abc.def.ghi',
    }),
    401,
  );
  assert.equal(await curl(web.url, 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', { 'x-forwarded-for': '198.51.100.9' }), 200);

  const rows = page.locator('tr.hit-row');
  const tokenIds = async () => Promise.all((await rows.all()).map((row) => row.getAttribute('data-token-id')));
  await waitFor('four rows', async () => (await rows.count()) === 4);
  assert.deepEqual(new Set(await tokenIds()), new Set([web.id, dns.id, kube.id]));
  for (const kind of ['http', 'dns', 'kubeconfig'])
    await rows
      .locator('.badge-kind', { hasText: new RegExp(`^${kind}$`) })
      .first()
      .waitFor();
  await page.getByTestId('activity-chart-total').filter({ hasText: '4 hits in the last 30 days, muted ones included' }).waitFor();
  assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');

  // The listed source carries its country, city and network, in the row and in the hit's detail.
  const listedRow = page.locator(`tr.hit-row[data-token-id="${web.id}"][data-muted="false"]`);
  const where = `${LISTED.city}, ${LISTED.countryName} (${LISTED.country}) · AS${LISTED.asn} ${LISTED.asOrg}`;
  assert.equal(await listedRow.getByTestId('activity-where').textContent(), where);
  await listedRow.click();
  assert.equal(await page.getByTestId('hit-where').textContent(), where);
  await listedRow.click();

  // The unfurler's hit is muted, and says by which rule.
  const mutedRow = page.locator('tr.hit-row[data-muted="true"]');
  assert.equal(await mutedRow.count(), 1);
  assert.equal(await mutedRow.getAttribute('data-token-id'), web.id);
  assert.equal(await mutedRow.getByTestId('activity-alert').textContent(), 'Muted');
  await mutedRow.click();
  const mutedBy = await page.getByTestId('hit-muted-by').textContent();
  assert.match(mutedBy ?? '', new RegExp(`^Global rule known scanner: Slack \\(link previews\\): stored and counted, no alert \\(rule ${rule.id}\\)$`));

  // Filtered to the DNS token: only its hits, and its new hits still arrive live.
  await page.getByLabel('Filter by token id').fill(dns.id);
  await waitFor('only the DNS token', async () => (await rows.count()) === 1 && (await rows.first().getAttribute('data-token-id')) === dns.id);
  assert.ok(await udpExchange(server.server.dns!.port, encodeQuery(dns.hostname)));
  assert.equal(await curl(web.url, 'curl/8.5.0 not shown', { 'x-forwarded-for': '198.51.100.10' }), 200);
  await waitFor('the second DNS hit', async () => (await rows.count()) === 2);
  await page.getByTestId('activity-chart-total').filter({ hasText: '6 hits in the last 30 days' }).waitFor();
  assert.deepEqual(await tokenIds(), [dns.id, dns.id], 'the web hit that came in between is not on the filtered page');

  // The tag filter asks the server (hits do not carry their token's tags).
  await page.getByLabel('Filter by token id').fill('');
  await page.getByLabel('Filter by tag').fill('finance');
  await waitFor('only the finance token', async () => {
    const ids = await tokenIds();
    return ids.length === 3 && ids.every((id) => id === web.id);
  });

  // The webhook carries the same enrichment as the dashboard.
  const alert = await waitFor('the web alert', () =>
    receiver.to('/activity').find((r) => r.body.token.id === web.id && r.body.firstHit.source === LISTED.address),
  );
  assert.deepEqual(alert.body.firstHit.enrichment, {
    country: LISTED.country,
    countryName: LISTED.countryName,
    city: LISTED.city,
    asn: LISTED.asn,
    asOrg: LISTED.asOrg,
  });

  assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');

  // The token's own page shows its severity and tags, and marks the muted hit with its rule.
  await page.locator(`tr.hit-row[data-token-id="${web.id}"] a`).first().click();
  assert.equal(await page.getByTestId('token-severity').textContent(), 'high');
  assert.equal(await page.getByTestId('token-tags').textContent(), 'finance');
  const mutedOnTokenPage = page.locator('tr.hit-row[data-muted="true"]');
  await mutedOnTokenPage.waitFor();
  assert.match((await mutedOnTokenPage.getAttribute('title')) ?? '', /^Muted: Global rule known scanner: Slack/);

  // A channel's filters are shown with it.
  await server.api('PUT', `/channels/${channel}/filters`, { minSeverity: 'high', tags: ['finance'] });
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Channels' }).click();
  assert.equal(await page.getByTestId('channel-filters').textContent(), 'Only severity high or more; tags finance');

  assert.deepEqual(watch.errors, [], 'no script errors');
  assert.deepEqual(watch.cspViolations, []);
});
