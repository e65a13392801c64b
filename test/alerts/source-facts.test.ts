import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hitFacts, sourceFacts } from '../../src/alerts/facts.js';
import type { Hit } from '../../src/core/model/hit.js';

const hit: Hit = {
  id: '01m8mb5q1rrt5240850xhgqhv1',
  tokenId: 'vd5dpkeljllorycotzaufolhqu',
  kind: 'http',
  at: '2030-01-01T00:00:00.000Z',
  source: '203.0.113.77',
  userAgent: 'curl/8.5.0',
  detail: { type: 'http', method: 'GET', path: '/x', query: '', headers: {} },
  enrichment: { country: 'NZ', countryName: 'New Zealand', city: 'Wellington', asn: 64500, asOrg: 'Example Transit Ltd', hostname: 'gw<b>.example.net' },
};

test("alert facts name the source's place, network and host name, after the source", () => {
  const facts = hitFacts(hit);
  assert.deepEqual(facts.slice(0, 5), [
    { label: 'Time', value: hit.at },
    { label: 'Source', value: '203.0.113.77' },
    { label: 'Location', value: 'Wellington, New Zealand (NZ)' },
    { label: 'Network', value: 'AS64500 Example Transit Ltd' },
    { label: 'Host name', value: 'gw<b>.example.net' },
  ]);
  assert.deepEqual(sourceFacts(null), []);
  assert.deepEqual(sourceFacts({ country: 'IS' }), [{ label: 'Location', value: 'IS' }]);
  assert.deepEqual(sourceFacts({ asn: 64501 }), [{ label: 'Network', value: 'AS64501' }]);
});
