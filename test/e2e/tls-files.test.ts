/**
 * `tripline server --tls-listen` with --tls-cert/--tls-key from openssl: token URLs fire over
 * HTTPS (curl trusting the test CA), a replaced certificate is served without a restart, files
 * that do not load keep the previous certificate, and --tls-redirect sends only requests that
 * cannot be token URLs to HTTPS.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hitsOf } from '../support/api.js';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { scratch } from './credentials-support.js';
import { curl, makeCertificate, makeExpiredCertificate, peerCertificate } from './tls-support.js';
import { HttpReceiver } from '../support/http-receiver.js';

const KEY = 'tpl_admin_tls_files_test_key_0123456789ab';

describe('tripline server --tls-listen with certificate files', () => {
  const work = scratch('tls-files');
  let server: ServerProcess;
  let tlsPort: number;
  let first: ReturnType<typeof makeCertificate>;
  const cert = `${work.dir}/served-cert.pem`;
  const key = `${work.dir}/served-key.pem`;

  before(async () => {
    first = makeCertificate(work.dir, 'first', ['canary.test', '127.0.0.1']);
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    tlsPort = await freePort();
    server = await spawnServer(
      [...(await listenArgs()), '--tls-listen', `127.0.0.1:${tlsPort}`, '--tls-cert', cert, '--tls-key', key, '--tls-redirect', '--db', `${work.dir}/store.db`],
      { TRIPLINE_ADMIN_KEY: KEY },
    );
  });

  after(async () => {
    await server?.stop();
    work.remove();
  });

  it('records a hit for a dressed token path fetched by curl over HTTPS', async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'over tls' })).body;
    const answer = await curl([
      '--cacert',
      first.ca,
      '--resolve',
      `canary.test:${tlsPort}:127.0.0.1`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{content_type}',
      `https://canary.test:${tlsPort}/static/${token.id}/logo.gif?v=2`,
    ]);
    assert.equal(answer.code, 0, answer.stderr);
    assert.equal(answer.stdout, '200 image/gif');
    const hit = await waitFor('the hit over https', async () => (await hitsOf(server, token.id))[0]);
    assert.equal(hit.detail.path, `/static/${token.id}/logo.gif`);
    assert.equal(hit.source, '127.0.0.1');
  });

  it('serves a replaced certificate without a restart, and keeps it when the new files do not load', async () => {
    const before = await peerCertificate(tlsPort, first.ca, 'canary.test');
    const second = makeCertificate(work.dir, 'second', ['canary.test', '127.0.0.1']);
    copyFileSync(second.key, key);
    copyFileSync(second.cert, cert);
    const after = await waitFor('the new certificate', async () => {
      const seen = await peerCertificate(tlsPort, second.ca, 'canary.test');
      return seen.fingerprint256 !== before.fingerprint256 && seen;
    });
    const answer = await curl(['--cacert', second.ca, '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${tlsPort}/anything`]);
    assert.equal(answer.stdout, '200', answer.stderr);

    // A certificate file cut short: logged, and the second certificate is still served.
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n');
    await waitFor('the log line about files that do not load', () => /do not load; still serving the previous certificate/.test(server.stdout()));
    assert.equal((await peerCertificate(tlsPort, second.ca, 'canary.test')).fingerprint256, after.fingerprint256);
    copyFileSync(second.cert, cert);
  });

  it('--tls-redirect sends requests that cannot be token URLs to HTTPS and lets token-shaped paths fire over plain HTTP', async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'plain and tls' })).body;
    const home = await curl(['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: canary.test', `${server.url}/login?next=/`]);
    assert.equal(home.stdout, `308 https://canary.test:${tlsPort}/login?next=/`);
    const unknown = await curl(['-o', '/dev/null', '-w', '%{http_code} %{content_type}', `${server.url}/img/${'a'.repeat(26)}.gif`]);
    const live = await curl(['-o', '/dev/null', '-w', '%{http_code} %{content_type}', `${server.url}/img/${token.id}.gif`]);
    assert.equal(live.stdout, '200 image/gif', 'a token URL fires over plain HTTP');
    assert.equal(unknown.stdout, live.stdout, 'an unknown id in the same shape is answered alike, not redirected');
    await waitFor('the plain-HTTP hit', async () => (await hitsOf(server, token.id)).length === 1);
  });

  it('refuses TLS flags that cannot work with one clear line', async () => {
    const cases: [string[], RegExp][] = [
      [['--tls-cert', cert, '--tls-key', key], /need --tls-listen/],
      [['--tls-listen', '127.0.0.1:0'], /needs a certificate/],
      [['--tls-listen', '127.0.0.1:0', '--tls-cert', cert], /--tls-cert and --tls-key go together/],
      [['--tls-listen', '127.0.0.1:0', '--tls-cert', `${work.dir}/missing.pem`, '--tls-key', key], /cannot read \(ENOENT\)/],
      [
        ['--tls-listen', '127.0.0.1:0', '--tls-cert', first.cert, '--tls-key', makeCertificate(work.dir, 'other', ['x.test']).key],
        /not a usable certificate and key/,
      ],
      [
        ['--tls-listen', '127.0.0.1:0', '--acme-email', 'ops@example.com', '--acme-domains', '*.canary.test'],
        /wildcard is proved by DNS-01, which needs --dns-zone/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['server', ...(await listenArgs()), ...args, '--db', `${work.dir}/refused.db`], { TRIPLINE_ADMIN_KEY: KEY });
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it('serves the admin listener over HTTPS with the trigger certificate (--admin-tls) or its own (--admin-tls-cert/--admin-tls-key)', async () => {
    const own = makeCertificate(work.dir, 'admin', ['127.0.0.1']);
    for (const [flags, ca] of [
      [['--tls-listen', `127.0.0.1:${await freePort()}`, '--tls-cert', first.cert, '--tls-key', first.key, '--admin-tls'], first.ca],
      [['--admin-tls-cert', own.cert, '--admin-tls-key', own.key], own.ca],
    ] as const) {
      const admin = await freePort();
      const env = { TRIPLINE_ADMIN_KEY: KEY, NODE_EXTRA_CA_CERTS: ca };
      const args = ['--listen', `127.0.0.1:${await freePort()}`, '--admin-listen', `127.0.0.1:${admin}`, ...flags, '--db', `${work.dir}/admin-tls.db`];
      const https = await spawnServer(args, env);
      try {
        assert.equal(https.adminUrl, `https://127.0.0.1:${admin}`);
        const health = await curl(['--cacert', ca, '-o', '/dev/null', '-w', '%{http_code}', `${https.adminUrl}/healthz`]);
        assert.equal(health.stdout, '200', health.stderr);
        assert.notEqual((await curl(['-o', '/dev/null', `http://127.0.0.1:${admin}/healthz`])).stdout, '200', 'no plain HTTP on the admin listener');
        const listed = await runCli(['token', 'list', '--json'], { ...env, TRIPLINE_URL: https.adminUrl, TRIPLINE_KEY: KEY });
        assert.equal(listed.code, 0, listed.stderr);
      } finally {
        await https.stop();
      }
    }
  });

  it('tells the channels when the served certificate has expired', async () => {
    const receiver = await new HttpReceiver().start();
    const db = `${work.dir}/expiry.db`;
    const expired = makeExpiredCertificate(work.dir, 'stale', ['canary.test']);
    try {
      const setup = await spawnServer([...(await listenArgs()), '--db', db, '--allow-private-targets'], { TRIPLINE_ADMIN_KEY: KEY });
      assert.equal((await setup.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/hook'), default: true })).status, 201);
      await setup.stop();
      const stale = await spawnServer(
        [
          ...(await listenArgs()),
          '--tls-listen',
          `127.0.0.1:${await freePort()}`,
          '--tls-cert',
          expired.cert,
          '--tls-key',
          expired.key,
          '--db',
          db,
          '--allow-private-targets',
        ],
        { TRIPLINE_ADMIN_KEY: KEY },
      );
      try {
        const notice = await waitFor('the expiry notice', () => receiver.received.find((r) => r.body?.token?.id === 'tls-certificate'));
        assert.equal(notice.body.token.memo, 'TLS certificate for canary.test expired 2020-01-02T00:00:00.000Z: HTTPS token URLs fail for every client');
      } finally {
        await stale.stop();
      }
    } finally {
      await receiver.stop();
    }
  });
});
