import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserFixture, openPage, signIn } from './support/browser.js';

const flood = { threshold: 10, sampleEvery: 20 };
const HITS = 100;
const CONCURRENCY = 10;

const fixture = browserFixture({ flood });

test("a flooded token's page says how many hits there were and how many are kept in full", async () => {
  const { server, browser } = fixture;
  const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'Flooded web bug' })).body;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < HITS) {
        next += 1;
        await (await fetch(token.url, { headers: { 'user-agent': 'flood/1' } })).arrayBuffer();
      }
    }),
  );
  const { hitCount, hitsKept } = (await server.api('GET', `/tokens/${token.id}`)).body;
  assert.equal(hitCount, HITS);
  assert.ok(hitsKept < HITS);

  const { page, watch } = await openPage(browser);
  await signIn(page, server.adminUrl, server.key);
  await page.goto(`${server.adminUrl}/ui/tokens/${token.id}`);
  await page.getByTestId('token-hits-kept').waitFor();
  assert.equal(await page.getByTestId('token-hit-count').textContent(), String(HITS));
  assert.equal(await page.getByTestId('token-hits-kept').textContent(), `${HITS} hits, ${hitsKept} kept in full`);
  assert.deepEqual(watch.errors, [], 'no script errors');
});
