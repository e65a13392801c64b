import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postBody, redactCredentials } from '../../src/alerts/http-post.js';
import { privateAddressKind } from '../../src/alerts/private-address.js';
import { checkChannelUrl, literalRefusal, type Resolve } from '../../src/alerts/target-guard.js';
import { alertSettingsFrom, type AlertCliOptions } from '../../src/cli/commands/alert-options.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';

// Only loopback is ever connected to here. Other private and metadata addresses appear only where
// the refusal happens before any socket is opened (address classification, the save-time check).

describe('which addresses a channel may not reach', () => {
  const refused: [string, RegExp][] = [
    ['127.0.0.1', /^loopback$/],
    ['127.8.9.10', /^loopback$/],
    ['10.1.2.3', /^private/],
    ['172.16.0.1', /^private/],
    ['172.31.255.255', /^private/],
    ['192.168.1.1', /^private/],
    ['169.254.169.254', /^cloud metadata$/],
    ['169.254.10.1', /^link-local$/],
    ['100.64.0.1', /^shared \(CGNAT\)$/],
    ['0.0.0.0', /^unspecified$/],
    ['224.0.0.251', /^multicast$/],
    ['255.255.255.255', /^reserved$/],
    ['::1', /^loopback$/],
    ['::', /^unspecified$/],
    ['fe80::1%eth0', /^link-local$/],
    ['fc00::1', /^unique local$/],
    ['fd12:3456::1', /^unique local$/],
    ['fd00:ec2::254', /^cloud metadata$/],
    ['ff02::1', /^multicast$/],
    ['::ffff:127.0.0.1', /^IPv4-mapped loopback$/],
    ['::ffff:7f00:1', /^IPv4-mapped loopback$/],
    ['::ffff:169.254.169.254', /^IPv4-mapped cloud metadata$/],
    ['::ffff:a00:1', /^IPv4-mapped private/],
    ['64:ff9b::a9fe:a9fe', /^NAT64 cloud metadata$/],
    ['2002:7f00:1::', /^6to4 loopback$/],
    ['not-an-address', /^not an IP address$/],
  ];
  for (const [address, kind] of refused) {
    test(`${address} is refused`, () => assert.match(privateAddressKind(address) ?? 'public', kind));
  }
  for (const address of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2002:808:808::']) {
    test(`${address} is public`, () => assert.equal(privateAddressKind(address), undefined));
  }
});

describe('the switch', () => {
  test('is off by default, on with the flag or TRIPLINE_ALLOW_PRIVATE_TARGETS=1, and "0" or "false" keep it off', () => {
    const flags = {
      alertWindow: 60_000,
      deliveryMaxAge: 1,
      deliveryTimeout: 1,
      deliveryBackoffMax: 1,
      deliveryConcurrency: 1,
      smtpPort: 587,
      smtpTls: 'starttls',
    } as const;
    const allowed = (flag: boolean, env?: string) => {
      const saved = process.env.TRIPLINE_ALLOW_PRIVATE_TARGETS;
      if (env === undefined) delete process.env.TRIPLINE_ALLOW_PRIVATE_TARGETS;
      else process.env.TRIPLINE_ALLOW_PRIVATE_TARGETS = env;
      try {
        return alertSettingsFrom({ ...flags, allowPrivateTargets: flag } as AlertCliOptions).allowPrivateTargets;
      } finally {
        if (saved === undefined) delete process.env.TRIPLINE_ALLOW_PRIVATE_TARGETS;
        else process.env.TRIPLINE_ALLOW_PRIVATE_TARGETS = saved;
      }
    };
    assert.equal(allowed(false), false);
    assert.equal(allowed(true), true);
    for (const on of ['1', 'true', 'YES']) assert.equal(allowed(false, on), true, on);
    for (const off of ['', '0', 'false', 'no']) assert.equal(allowed(false, off), false, off);
    assert.throws(() => allowed(false, 'maybe'), /TRIPLINE_ALLOW_PRIVATE_TARGETS "maybe"/);
  });
});

describe('the save-time check', () => {
  const noLookup: Resolve = async () => assert.fail('an IP literal needs no lookup');

  test('refuses literals and names that resolve privately, naming the address; allows them with the flag', async () => {
    await assert.rejects(
      checkChannelUrl('http://169.254.169.254/latest/meta-data/', false, noLookup),
      /169\.254\.169\.254 \(cloud metadata\).*--allow-private-targets/,
    );
    await assert.rejects(checkChannelUrl('http://[::ffff:a9fe:a9fe]/', false, noLookup), /::ffff:a9fe:a9fe \(IPv4-mapped cloud metadata\)/);
    await assert.rejects(checkChannelUrl('http://2130706433:8080/', false, noLookup), /127\.0\.0\.1 \(loopback\)/);
    const mixed: Resolve = async () => [
      { address: '203.0.113.9', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    await assert.rejects(checkChannelUrl('https://hooks.example.test/x', false, mixed), /hooks\.example\.test resolves to 10\.0\.0\.5 \(private/);
    await checkChannelUrl('http://169.254.169.254/', true, noLookup);
    await checkChannelUrl('https://hooks.example.test/x', false, async () => [{ address: '203.0.113.9', family: 4 }]);
    // A name that does not resolve now is left to the check every delivery makes when it connects.
    await checkChannelUrl('https://hooks.example.test/x', false, async () => Promise.reject(Object.assign(new Error('no'), { code: 'ENOTFOUND' })));
    assert.ok(literalRefusal('169.254.169.254'));
    assert.equal(literalRefusal('hooks.example.test'), undefined);
  });
});

describe('the connect-time check', () => {
  const receiver = new HttpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  const post = (url: string, allowPrivateTargets: boolean, resolve?: Resolve) =>
    postBody(url, '{"n":1}', {}, { timeoutMs: 5_000, allowPrivateTargets, ...(resolve ? { resolve } : {}) });

  test('a name that resolved publicly when saved and to loopback when sending (DNS rebinding) is refused before connecting', async () => {
    const answers = [[{ address: '203.0.113.9', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
    const rebinding: Resolve = async () => answers.shift() ?? [];
    const url = `http://hooks.example.test:${receiver.port}/rebind`;
    await checkChannelUrl(url, false, rebinding);
    const before = receiver.attempts.length;
    const result = await post(url, false, rebinding);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /^refused: hooks\.example\.test resolves to 127\.0\.0\.1 \(loopback\)/);
    assert.equal(receiver.attempts.length, before, 'nothing reached the receiver');
  });

  test('the same name is delivered through the same resolver when private targets are allowed', async () => {
    const result = await post(`http://hooks.example.test:${receiver.port}/allowed`, true, async () => [{ address: '127.0.0.1', family: 4 }]);
    assert.deepEqual(result, { ok: true, status: 200 });
    assert.ok(receiver.received.some((r) => r.path === '/allowed'));
  });

  test('a loopback literal is refused without a connection', async () => {
    const before = receiver.attempts.length;
    const result = await post(receiver.url('/literal'), false);
    assert.match(!result.ok ? result.error : '', /^refused: 127\.0\.0\.1 \(loopback\)/);
    assert.equal(receiver.attempts.length, before);
  });

  test('credentials in the URL travel as Basic auth, and failures never show the password', async () => {
    const url = `http://alice:s3cr%40t@127.0.0.1:${receiver.port}/basic`;
    assert.deepEqual(await post(url, true), { ok: true, status: 200 });
    const got = receiver.received.find((r) => r.path === '/basic')!;
    assert.equal(got.headers.authorization, `Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`);
    assert.equal(redactCredentials(`failed at ${url} (s3cr@t)`, url), `failed at http://alice:***@127.0.0.1:${receiver.port}/basic (***)`);
  });
});

async function hitDeliveries(server: TestServer, channel: string): Promise<{ id: string; url: string }> {
  const token = await server.api('POST', '/tokens', { kind: 'http', memo: 'outbound safety', channels: [channel] });
  assert.equal(token.status, 201, JSON.stringify(token.body));
  assert.equal((await fetch(token.body.url)).status, 200);
  return token.body;
}

describe('channels through the API, with and without --allow-private-targets', () => {
  const receiver = new HttpReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'tripline-outbound-'));
  const db = join(dir, 'tripline.db');
  before(() => receiver.start());
  after(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without the flag: loopback, metadata and a name for loopback are refused with a 400 naming the address', async () => {
    const server = await startTestServer({ db });
    try {
      const cases: [string, RegExp][] = [
        [receiver.url('/hook'), /127\.0\.0\.1 \(loopback\)/],
        ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(cloud metadata\)/],
        ['http://[::ffff:169.254.169.254]/', /::ffff:a9fe:a9fe \(IPv4-mapped cloud metadata\)/],
        ['http://[fd00:ec2::254]/', /fd00:ec2::254 \(cloud metadata\)/],
        [`http://localhost:${receiver.port}/hook`, /localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/],
      ];
      for (const [url, message] of cases) {
        const answer = await server.api('POST', '/channels', { kind: 'webhook', url });
        assert.equal(answer.status, 400, `${url}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.field, 'url');
        assert.match(answer.body.message, message);
        assert.match(answer.body.message, /--allow-private-targets/);
      }
      assert.equal((await server.api('GET', '/channels')).body.items.length, 0);
      assert.equal(receiver.attempts.length, 0);
    } finally {
      await server.close();
    }
  });

  let stored = '';
  test('with the flag: a loopback channel is saved and delivered, with Basic auth and a redacted URL', async () => {
    const server = await startTestServer({ db, alerts: { allowPrivateTargets: true } });
    try {
      const created = await server.api('POST', '/channels', { kind: 'webhook', url: `http://alice:hunter2-pw@127.0.0.1:${receiver.port}/allowed` });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.settings.url, `http://alice:***@127.0.0.1:${receiver.port}/…`);
      const listed = JSON.stringify((await server.api('GET', '/channels')).body);
      assert.ok(!listed.includes('hunter2'), listed);
      await hitDeliveries(server, created.body.id);
      const got = await waitFor('the delivery', () => receiver.received.find((r) => r.path === '/allowed'));
      assert.equal(got.headers.authorization, `Basic ${Buffer.from('alice:hunter2-pw').toString('base64')}`);

      receiver.behaviour = () => 'drop';
      await hitDeliveries(server, created.body.id);
      const failed = await waitFor('a failed attempt', async () => {
        const items = (await server.api('GET', '/deliveries')).body.items as { lastError: string | null }[];
        return items.find((d) => d.lastError);
      });
      assert.match(failed.lastError!, /^connection failed: /);
      const everything = JSON.stringify([(await server.api('GET', '/deliveries')).body, (await server.api('POST', `/channels/${created.body.id}/test`)).body]);
      assert.ok(!everything.includes('hunter2'), everything);
      receiver.behaviour = () => ({ status: 200 });

      // Saved while allowed, for the strict server below: a name that resolves to loopback.
      const byName = await server.api('POST', '/channels', { kind: 'webhook', url: `http://localhost:${receiver.port}/by-name` });
      assert.equal(byName.status, 201, JSON.stringify(byName.body));
      assert.equal((await server.api('POST', `/channels/${byName.body.id}/test`)).body.ok, true, 'delivered through the system resolver');
      assert.ok(receiver.received.some((r) => r.path === '/by-name'));
      stored = byName.body.id;
    } finally {
      await server.close();
    }
  });

  test('without the flag, a stored channel whose name resolves to loopback is refused when sending: test and delivery', async () => {
    assert.ok(stored, 'the channel from the previous test');
    const server = await startTestServer({ db, alerts: { pollMs: 50 } });
    try {
      const before = receiver.attempts.length;
      const tested = await server.api('POST', `/channels/${stored}/test`);
      assert.equal(tested.status, 200);
      assert.equal(tested.body.ok, false);
      assert.match(tested.body.error, /^refused: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/);

      await hitDeliveries(server, stored);
      const refused = await waitFor('the refused delivery', async () => {
        const items = (await server.api('GET', '/deliveries')).body.items as { lastError: string | null; channelId: string }[];
        return items.find((d) => d.channelId === stored && d.lastError);
      });
      assert.match(refused.lastError!, /^refused: localhost resolves to/);
      assert.equal(receiver.attempts.length, before, 'nothing reached the receiver');
    } finally {
      await server.close();
    }
  });
});
