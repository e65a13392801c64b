import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenKinds } from '../../../src/tokens/registry.js';
import { startTestServer } from '../../support/server.js';

test('GET /api/v1/token-kinds lists every registered kind with its form', async () => {
  const server = await startTestServer();
  try {
    const response = await server.api('GET', '/token-kinds');
    assert.equal(response.status, 200);
    const listed = response.body.items as { kind: string; title: string; acceptsRedirect: boolean; options: unknown[] }[];
    assert.deepEqual(
      listed.map((k) => k.kind),
      tokenKinds().map((k) => k.kind),
    );
    const http = listed.find((k) => k.kind === 'http');
    assert.ok(http, 'the web bug is listed');
    assert.equal(http.acceptsRedirect, true);
    assert.ok(http.title.length > 0);
    assert.ok(Array.isArray(http.options));

    const unauthenticated = await fetch(`${server.adminUrl}/api/v1/token-kinds`);
    assert.equal(unauthenticated.status, 401);
  } finally {
    await server.close();
  }
});
