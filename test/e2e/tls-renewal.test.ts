/**
 * Renewal and failure with Debian's pebble: while the ACME directory is down the server raises a
 * notice on its channels and retries with a growing backoff; once pebble is up it obtains a
 * certificate, and with pebble's short certificate lifetime it renews at two thirds of it without
 * a restart, clients seeing the new certificate.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../support/http-receiver.js';
import { freePort } from '../support/ports.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { scratch } from './credentials-support.js';
import { acmeServerArgs, PEBBLE, pebbleOwnCertificate, peerCertificate, startPebble, type Pebble } from './tls-support.js';

const KEY = 'tpl_admin_tls_renewal_test_key_0123456789a';
const ZONE = 'renew.test';
/** Pebble's certificate lifetime: renewal is due two thirds in, about 16 s after issue. */
const LIFETIME_S = 24;

interface LogLine {
  msg: string;
  retryInMs?: number;
  attempt?: number;
}

describe('ACME renewal and failure with pebble', { skip: PEBBLE ? false : 'pebble is not installed' }, () => {
  const work = scratch('tls-renewal');
  const receiver = new HttpReceiver();
  let pebble: Pebble | undefined;
  let server: ServerProcess;
  const ports = { acme: 0, management: 0, httpPort: 0, dnsPort: 0, tls: 0 };

  before(async () => {
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    await receiver.start();
    const db = `${work.dir}/store.db`;
    const adminPort = await freePort();
    const base = ['--listen', `127.0.0.1:${ports.httpPort}`, '--admin-listen', `127.0.0.1:${adminPort}`, '--db', db, '--allow-private-targets'];
    // The channel exists before the TLS start, so the first failure has somewhere to go.
    const setup = await spawnServer(base, { TRIPLINE_ADMIN_KEY: KEY });
    assert.equal((await setup.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/hook'), default: true })).status, 201);
    await setup.stop();
    server = await spawnServer(
      [
        ...acmeServerArgs({ ...ports, adminPort, tlsPort: ports.tls, zone: ZONE, directory: `https://127.0.0.1:${ports.acme}/dir`, db }),
        ...['--allow-private-targets', '--acme-retry', '1s'],
      ],
      { TRIPLINE_ADMIN_KEY: KEY, NODE_EXTRA_CA_CERTS: pebbleOwnCertificate(work.dir).ca },
    );
  });

  after(async () => {
    if (process.env.DEBUG_TLS) console.log(server?.stdout());
    await server?.stop();
    await pebble?.stop();
    await receiver.stop();
    work.remove();
  });

  function failures(): LogLine[] {
    return server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('acme order failed'))
      .map((line) => JSON.parse(line) as LogLine);
  }

  it('raises a notice on the channels when the order fails, and retries with a growing backoff', async () => {
    const notice = await waitFor('the certificate notice at the webhook', () => receiver.received.find((r) => r.body?.token?.id === 'tls-certificate'));
    assert.equal(notice.body.token.kind, 'server');
    assert.match(
      notice.body.token.memo,
      new RegExp(
        `TLS certificate for ${ZONE}, \\*\\.${ZONE} could not be obtained: cannot reach the ACME directory https://127\\.0\\.0\\.1:${ports.acme}/dir \\(ECONNREFUSED\\); no certificate is served yet; retrying in \\d+ s`,
      ),
    );
    const seen = await waitFor('three failed attempts', () => failures().length >= 3 && failures(), 30_000, 100);
    assert.deepEqual(
      seen.slice(0, 3).map((line) => line.attempt),
      [1, 2, 3],
    );
    // Equal jitter: attempt n waits between half and all of 1 s * 2^(n-1).
    for (const line of seen.slice(0, 3)) {
      const ceiling = 1000 * 2 ** (line.attempt! - 1);
      assert.ok(line.retryInMs! >= ceiling / 2 && line.retryInMs! <= ceiling, `attempt ${line.attempt} waits ${line.retryInMs} ms`);
    }
    assert.equal(receiver.received.filter((r) => r.body?.token?.id === 'tls-certificate').length, 1, 'one notice, not one per retry');
  });

  it('obtains the certificate once the directory is up, then renews it without a restart and clients see the new one', async () => {
    pebble = await startPebble(work.dir, { ...ports, validitySeconds: LIFETIME_S });
    await waitFor('the first certificate', () => /tls certificate obtained by acme/.test(server.stdout()), 90_000, 200);
    const rootFile = `${work.dir}/pebble-root.pem`;
    writeFileSync(rootFile, await pebble.root());
    const first = await peerCertificate(ports.tls, rootFile, ZONE);
    const renewed = await waitFor(
      'a renewed certificate on the same listener',
      async () => {
        const seen = await peerCertificate(ports.tls, rootFile, ZONE);
        return seen.fingerprint256 !== first.fingerprint256 && seen;
      },
      LIFETIME_S * 1000 + 30_000,
      500,
    );
    assert.ok(Date.parse(renewed.valid_to) > Date.parse(first.valid_to));
    assert.equal(server.child.exitCode, null, 'the same process serves it');
    assert.equal(server.stdout().match(/tls certificate obtained by acme/g)?.length, 2);
  });
});
