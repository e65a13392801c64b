import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { CLI, runCli } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

async function hitFrom(url: string, source: string, userAgent = 'curl/8.5.0'): Promise<void> {
  const response = await fetch(url, { headers: { 'x-forwarded-for': source, 'user-agent': userAgent } });
  await response.arrayBuffer();
}

describe('tripline hits', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'] });
  });
  after(() => server.close());

  test('--follow prints the filtered hits, then each new one as it is recorded, until interrupted', async () => {
    const watched = (await server.api('POST', '/tokens', { kind: 'http', memo: 'followed' })).body;
    const other = (await server.api('POST', '/tokens', { kind: 'http', memo: 'not followed' })).body;
    await hitFrom(watched.url, '203.0.113.1');

    const child = spawn(process.execPath, [CLI, 'hits', '--follow', '--json', '--token', watched.id, '--server', server.adminUrl, '--key', server.key], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const lines = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    try {
      // The first line comes after the stream is open: from then on nothing is missed.
      await waitFor('the hit recorded before', () => lines().length === 1);
      await hitFrom(other.url, '203.0.113.2');
      await hitFrom(watched.url, '203.0.113.3');
      await hitFrom(watched.url, '203.0.113.4', 'Slackbot-LinkExpanding 1.0');
      await waitFor('the two new hits', () => lines().length === 3);
      assert.deepEqual(
        lines().map((hit) => [hit.tokenId, hit.source]),
        [
          [watched.id, '203.0.113.1'],
          [watched.id, '203.0.113.3'],
          [watched.id, '203.0.113.4'],
        ],
      );
      assert.equal(lines()[0].summary.length > 0, true, 'hits come with their description');
    } finally {
      child.kill('SIGINT');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, err);
  });

  test('without --follow: one page, filters, and a clear error for a bad one', async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'listed', tags: ['lab'] })).body;
    await hitFrom(token.url, '198.51.100.20');
    const listed = await runCli(['hits', '--tag', 'lab', '--server', server.adminUrl, '--key', server.key]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^TIME\s+ID\s+TOKEN\s+KIND\s+SOURCE\s+WHERE\s+MUTED\s+WHAT/);
    assert.match(listed.stdout, new RegExp(`${token.id}\\s+http\\s+198\\.51\\.100\\.20`));
    assert.equal(listed.stdout.trim().split('\n').length, 2, 'the header and the one hit of the tagged token');
    const bad = await runCli(['hits', '--country', 'Narnia', '--server', server.adminUrl, '--key', server.key]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /country/);
  });
});
