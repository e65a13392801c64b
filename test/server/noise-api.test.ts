import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

describe('noise rules, tags and channel filters through the API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('bad rules get a 400 that says what is wrong, and a rule for an unknown token a 404', async () => {
    const cases: [unknown, RegExp][] = [
      [{ kind: 'cidr', pattern: '10.0.0.0/8/8' }, /not an IP address or CIDR range/],
      [{ kind: 'resolver' }, /needs a pattern/],
      [{ kind: 'asn', pattern: 'ASX' }, /not an AS number/],
      [{ kind: 'user-agent', pattern: 'a*b*c*d*e*f' }, /at most 4 \*/],
      [{ kind: 'user-agent', pattern: '**' }, /some text besides/],
      [{ kind: 'known-scanners', pattern: 'slack' }, /takes no pattern/],
      [{ kind: 'regex', pattern: '.*' }, /kind/],
    ];
    for (const [body, message] of cases) {
      const answer = await server.api('POST', '/noise-rules', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.body.message, message);
    }
    const unknown = await server.api('POST', '/noise-rules', { kind: 'cidr', pattern: '10.0.0.0/8', tokenId: 'aaaaaaaaaaaaaaaaaaaaaaaaaa' });
    assert.equal(unknown.status, 404);
  });

  test('rules are listed with the shipped scanner list, normalised, and deleted', async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'rules' })).body;
    const own = (await server.api('POST', '/noise-rules', { kind: 'asn', pattern: '64500', tokenId: token.id })).body;
    assert.equal(own.pattern, 'AS64500');
    const listed = (await server.api('GET', `/noise-rules?token=${token.id}`)).body;
    assert.deepEqual(
      listed.items.map((r: any) => r.id),
      [own.id],
    );
    assert.ok(listed.knownScanners.some((s: any) => s.name === 'Slack'));
    assert.equal((await server.api('DELETE', `/noise-rules/${own.id}`)).status, 204);
    assert.equal((await server.api('DELETE', `/noise-rules/${own.id}`)).status, 404);
    // Deleting a token takes its own rules with it.
    await server.api('POST', '/noise-rules', { kind: 'cidr', pattern: '10.0.0.0/8', tokenId: token.id });
    await server.api('DELETE', `/tokens/${token.id}`);
    assert.deepEqual((await server.api('GET', `/noise-rules?token=${token.id}`)).body.items, []);
  });

  test('severity and tags are checked, set and replaced; channel filters are checked', async () => {
    assert.equal((await server.api('POST', '/tokens', { kind: 'http', memo: 'x', severity: 'urgent' })).status, 400);
    const badTag = await server.api('POST', '/tokens', { kind: 'http', memo: 'x', tags: ['has space'] });
    assert.equal(badTag.status, 400);
    assert.match(badTag.body.message, /tag "has space"/);
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'tags', tags: ['prod', 'prod', 'team:web'] })).body;
    assert.equal(token.severity, 'high', 'the default');
    assert.deepEqual(token.tags, ['prod', 'team:web']);
    const changed = (await server.api('PATCH', `/tokens/${token.id}`, { severity: 'low', tags: ['lab'] })).body;
    assert.equal(changed.severity, 'low');
    assert.deepEqual(changed.tags, ['lab']);

    const channel = (await server.api('POST', '/channels', { kind: 'email', to: 'soc@example.com' })).body;
    assert.deepEqual(channel.filters, {});
    assert.equal((await server.api('PUT', `/channels/${channel.id}/filters`, { minSeverity: 'high', extra: 1 })).status, 400);
    assert.equal((await server.api('PUT', '/channels/01m8mb5q1xzgn0sksznratks5f/filters', {})).status, 404);
    const set = (await server.api('PUT', `/channels/${channel.id}/filters`, { tags: ['prod'], kinds: ['http', 'dns'] })).body;
    assert.deepEqual(set.filters, { tags: ['prod'], kinds: ['http', 'dns'] });
    assert.deepEqual((await server.api('GET', `/channels/${channel.id}`)).body.filters, { tags: ['prod'], kinds: ['http', 'dns'] });
  });

  test('the hits listing refuses junk filters, and a missing hit is a 404', async () => {
    assert.equal((await server.api('GET', '/hits?country=NZL')).status, 400);
    assert.equal((await server.api('GET', '/hits?muted=maybe')).status, 400);
    assert.equal((await server.api('GET', '/hits?token=nope')).status, 400);
    assert.equal((await server.api('GET', '/hits/nope')).status, 404);
    assert.equal((await server.api('GET', '/hits/..%2F..%2Fetc/explain')).status, 404);
  });
});
