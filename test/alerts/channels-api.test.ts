import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serverAndReceiver } from './support/fixture.js';
import { waitFor } from '../support/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

const fixture = serverAndReceiver();

async function raw(method: string, path: string, body: string | undefined, key = fixture.server.key) {
  const response = await fetch(`${fixture.server.adminUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('channel API input', () => {
  const refused: [string, Record<string, unknown>, string][] = [
    ['unknown kind', { kind: 'pager' }, 'kind'],
    ['webhook without a URL', { kind: 'webhook' }, 'url'],
    ['a URL that is not http', { kind: 'slack', url: 'ftp://hooks.example.com/x' }, 'url'],
    ['a URL that is not a URL', { kind: 'discord', url: 'not a url' }, 'url'],
    ['a short signing secret', { kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'short' }, 'secret'],
    ['email without recipients', { kind: 'email' }, 'to'],
    ['email with an address that is not plain', { kind: 'email', to: ['soc@example.com', 'x@y.com\r\nBcc: z@w.com'] }, 'to'],
    ['email with a bare name', { kind: 'email', to: 'root' }, 'to'],
    ['a severity that is not a word', { kind: 'alertmanager', url: 'http://127.0.0.1:9', severity: 'Critical!' }, 'severity'],
    ['an unknown field', { kind: 'slack', url: 'http://127.0.0.1:9/x', colour: 'red' }, 'body'],
    ['a name too long', { kind: 'slack', url: 'http://127.0.0.1:9/x', name: 'n'.repeat(201) }, 'name'],
    ['a non-boolean default', { kind: 'slack', url: 'http://127.0.0.1:9/x', default: 'yes' }, 'default'],
  ];
  for (const [what, body, field] of refused) {
    test(`refuses ${what} with a 400 naming ${field}`, async () => {
      const response = await fixture.server.api('POST', '/channels', body);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error, 'invalid_input');
      assert.equal(response.body.field, field);
    });
  }

  test('refuses bad JSON and bad ids with clear 4xx', async () => {
    assert.equal((await raw('POST', '/channels', '{"kind":')).status, 400);
    assert.equal((await raw('POST', '/channels', '[]')).status, 400);
    assert.equal((await fixture.server.api('GET', '/channels/nope')).status, 404);
    assert.equal((await fixture.server.api('POST', '/channels/00000000000000000000000000/test')).status, 404);
    assert.equal((await fixture.server.api('DELETE', '/channels/00000000000000000000000000')).status, 404);
    assert.equal((await fixture.server.api('GET', '/alerts?tokenId=bad')).status, 400);
    assert.equal((await fixture.server.api('GET', '/alerts?limit=0')).status, 400);
    assert.equal((await fixture.server.api('GET', '/alerts/whatever')).status, 404);
    assert.equal((await fixture.server.api('GET', '/deliveries?state=lost')).status, 400);
    assert.equal((await raw('GET', '/channels', undefined, 'wrong-key')).status, 401);
  });

  test('a token naming an unknown channel is refused', async () => {
    const response = await fixture.server.api('POST', '/tokens', { kind: 'http', memo: 'x', channels: ['01m8000000000000000000000z'] });
    assert.equal(response.status, 400);
    assert.equal(response.body.field, 'channels');
    assert.equal((await fixture.server.api('POST', '/tokens', { kind: 'http', memo: 'x', channels: 'abc' })).status, 400);
  });
});

describe('channel API views', () => {
  test('secrets and webhook URLs are not echoed in full; a generated secret is shown once at creation', async () => {
    const slack = await fixture.server.api('POST', '/channels', { kind: 'slack', url: fixture.receiver.url('/services/T0/B0/secretpart') });
    assert.equal(slack.status, 201);
    assert.equal(slack.body.settings.url, `http://127.0.0.1:${fixture.receiver.port}/…`);
    const generated = await fixture.server.api('POST', '/channels', { kind: 'webhook', url: fixture.receiver.url('/hook?token=querysecret') });
    assert.match(generated.body.secret, /^whsec_/);
    const chosen = await fixture.server.api('POST', '/channels', { kind: 'webhook', url: fixture.receiver.url('/hook'), secret: 'my-own-secret-value-123' });
    assert.equal(chosen.body.secret, undefined, 'a secret the caller chose is not echoed');
    const email = await fixture.server.api('POST', '/channels', { kind: 'email', to: 'soc@example.com', name: 'SOC' });
    assert.deepEqual(email.body.settings, { to: ['soc@example.com'] });

    const listed = JSON.stringify((await fixture.server.api('GET', '/channels')).body);
    for (const secret of ['secretpart', 'querysecret', generated.body.secret, 'my-own-secret-value-123']) assert.ok(!listed.includes(secret), secret);
    const one = JSON.stringify((await fixture.server.api('GET', `/channels/${generated.body.id}`)).body);
    assert.ok(!one.includes(generated.body.secret) && !one.includes('querysecret'));
  });

  test('test sends a test alert and reports what the receiver answered', async () => {
    const created = await fixture.server.api('POST', '/channels', {
      kind: 'webhook',
      url: fixture.receiver.url('/test-target'),
      secret: 'test-secret-0123456789',
    });
    const ok = await fixture.server.api('POST', `/channels/${created.body.id}/test`);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    assert.equal(ok.body.status, 200);
    const sent = fixture.receiver.received.find((r) => r.path === '/test-target')!;
    assert.equal(sent.body.event, 'test');

    fixture.receiver.behaviour = () => ({ status: 404, body: 'no such hook' });
    try {
      const failed = await fixture.server.api('POST', `/channels/${created.body.id}/test`);
      assert.equal(failed.status, 200);
      assert.equal(failed.body.ok, false);
      assert.equal(failed.body.status, 404);
      assert.equal(failed.body.error, 'HTTP 404', "the test reports the status, not the receiver's body");
    } finally {
      fixture.receiver.behaviour = () => ({ status: 200 });
    }
    assert.equal((await fixture.server.api('DELETE', `/channels/${created.body.id}`)).status, 204);
    assert.equal((await fixture.server.api('DELETE', `/channels/${created.body.id}`)).status, 404);
  });
});

describe('command line', () => {
  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TRIPLINE_URL: fixture.server.adminUrl, TRIPLINE_KEY: fixture.server.key },
    });
    return stdout;
  }

  test('channel add, list and test; token create --channel; alert list', async () => {
    const added = JSON.parse(await cli('channel', 'add', '--kind', 'webhook', '--name', 'cli hook', '--url', fixture.receiver.url('/cli'), '--json'));
    assert.match(added.secret, /^whsec_/);
    const listed = await cli('channel', 'list');
    assert.ok(listed.includes(added.id) && listed.includes('cli hook') && !listed.includes(added.secret));
    assert.match(await cli('channel', 'test', added.id), /^delivered \(200, \d+ ms\)/);

    const token = JSON.parse(await cli('token', 'create', '--kind', 'http', '--memo', 'from the cli', '--channel', added.id, '--json'));
    assert.deepEqual(token.channels, [added.id]);
    await fetch(token.url, { headers: { 'user-agent': 'cli-check' } });
    await waitFor('the alert at the receiver', () => fixture.receiver.received.some((r) => r.path === '/cli' && r.body.event === 'alert'));
    const alerts = JSON.parse(await cli('alert', 'list', '--token', token.id, '--json'));
    assert.equal(alerts.items.length, 1);
    assert.equal(alerts.items[0].userAgent, 'cli-check');
  });
});
