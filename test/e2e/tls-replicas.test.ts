/**
 * Two replicas on one PostgreSQL, both with --acme-email against Debian's pebble, started at
 * once: one takes the lease and orders, the other waits and serves the same certificate from the
 * store. Pebble reaches replica A (its HTTP and DNS listeners); the challenge answers are in the
 * store, so A answers whichever replica ordered.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { scratch } from './credentials-support.js';
import { acmeServerArgs, PEBBLE, pebbleOwnCertificate, peerCertificate, startPebble, type Pebble } from './tls-support.js';

const KEY = 'tpl_admin_tls_replicas_test_key_0123456789';
const ZONE = 'replicas.test';

describe('two replicas on one PostgreSQL share one ACME certificate', { skip: PEBBLE ? false : 'pebble is not installed' }, () => {
  const work = scratch('tls-replicas');
  let postgres: TestPostgres;
  let pebble: Pebble;
  const replicas: { server: ServerProcess; tlsPort: number }[] = [];

  before(async () => {
    postgres = await startPostgres();
    const db = await postgres.newDatabase();
    const ports = { acme: await freePort(), management: await freePort(), httpPort: await freePort(), dnsPort: await freePort() };
    pebble = await startPebble(work.dir, ports);
    const args = async (httpPort: number, dnsPort: number, tlsPort: number) =>
      acmeServerArgs({ httpPort, adminPort: await freePort(), tlsPort, dnsPort, zone: ZONE, directory: pebble.directory, db });
    const env = { TRIPLINE_ADMIN_KEY: KEY, NODE_EXTRA_CA_CERTS: pebbleOwnCertificate(work.dir).ca };
    const tlsPorts = [await freePort(), await freePort()];
    // Migrations first, so the two starts race for the lease and not for the schema.
    const setup = await spawnServer(['--listen', `127.0.0.1:${await freePort()}`, '--admin-listen', `127.0.0.1:${await freePort()}`, '--db', db], env);
    await setup.stop();
    const [a, b] = await Promise.all([
      spawnServer(await args(ports.httpPort, ports.dnsPort, tlsPorts[0]!), env),
      spawnServer(await args(await freePort(), await freePort(), tlsPorts[1]!), env),
    ]);
    replicas.push({ server: a, tlsPort: tlsPorts[0]! }, { server: b, tlsPort: tlsPorts[1]! });
  });

  after(async () => {
    for (const { server } of replicas) await server.stop();
    await pebble?.stop();
    postgres?.stop();
    work.remove();
  });

  it('one replica orders, and both serve the one certificate', async () => {
    for (const { server } of replicas) {
      await waitFor('each replica to serve a certificate', () => /tls certificate (obtained by acme|installed)/.test(server.stdout()), 90_000, 200);
    }
    const ordered = replicas.map(({ server }) => server.stdout().match(/ordering a tls certificate by acme/g)?.length ?? 0);
    // A second order follows a failed one: its logged reason is what a failure here needs to show.
    const failures = replicas.flatMap(({ server }) =>
      server
        .stdout()
        .split('\n')
        .filter((line) => line.includes('acme order failed')),
    );
    assert.deepEqual([...ordered].sort(), [0, 1], `exactly one replica ordered: ${ordered.join(', ')}\n${failures.join('\n')}`);
    const rootFile = `${work.dir}/pebble-root.pem`;
    writeFileSync(rootFile, await pebble.root());
    const seen = await Promise.all(replicas.map(({ tlsPort }) => peerCertificate(tlsPort, rootFile, `x.${ZONE}`)));
    assert.equal(seen[0]!.fingerprint256, seen[1]!.fingerprint256);
    assert.match(seen[0]!.subjectaltname ?? '', /DNS:\*\.replicas\.test/);
  });
});
