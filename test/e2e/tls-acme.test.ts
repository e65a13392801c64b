/**
 * ACME against Debian's pebble on loopback, its -dnsserver pointed at Tripline's own DNS
 * listener: the zone's apex proved by HTTP-01 on the trigger listener, `*.<zone>` by DNS-01
 * through Tripline's DNS server, and token URLs then fetched over HTTPS by clients that trust
 * only pebble's root.
 */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { get } from 'node:https';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { hitsOf } from '../support/api.js';
import { freePort } from '../support/ports.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';
import { scratch } from './credentials-support.js';
import { acmeServerArgs, curl, PEBBLE, peerCertificate, startPebble, type Pebble } from './tls-support.js';

const KEY = 'tpl_admin_tls_acme_test_key_0123456789abc';
const ZONE = 'canary.test';

/** An HTTPS GET that resolves the host name through `dnsPort` (Tripline's DNS listener) and trusts only `ca`. */
function httpsThroughDns(url: string, dnsPort: number, ca: string): Promise<{ status: number; type: string | undefined }> {
  const resolver = new Resolver();
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      {
        ca,
        lookup: (hostname, _options, callback) => {
          resolver.resolve4(hostname).then(
            (addresses) => callback(null, [{ address: addresses[0]!, family: 4 }]),
            (error: NodeJS.ErrnoException) => callback(error, []),
          );
        },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] }));
      },
    );
    request.once('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error('timed out')));
  });
}

describe('ACME with pebble: HTTP-01 and DNS-01 through Tripline', { skip: PEBBLE ? false : 'pebble is not installed' }, () => {
  const work = scratch('tls-acme');
  let pebble: Pebble;
  let server: ServerProcess;
  let root: string;
  let rootFile: string;
  let tlsPort: number;
  let dnsPort: number;
  let args: string[];
  let env: Record<string, string>;

  before(async () => {
    const [acmePort, management, httpPort] = [await freePort(), await freePort(), await freePort()];
    [dnsPort, tlsPort] = [await freePort(), await freePort()];
    pebble = await startPebble(work.dir, { acme: acmePort, management, httpPort, dnsPort });
    args = [
      ...acmeServerArgs({ httpPort, adminPort: await freePort(), tlsPort, dnsPort, zone: ZONE, directory: pebble.directory, db: `${work.dir}/store.db` }),
      ...['--acme-challenge', 'http-01'],
    ];
    env = { TRIPLINE_ADMIN_KEY: KEY, NODE_EXTRA_CA_CERTS: pebble.ownCa };
    server = await spawnServer(args, env);
    await waitFor('the certificate from pebble', () => /tls certificate obtained by acme/.test(server.stdout()), 90_000, 200);
    root = await pebble.root();
    rootFile = `${work.dir}/pebble-root.pem`;
    writeFileSync(rootFile, root);
  });

  after(async () => {
    await server?.stop();
    await pebble?.stop();
    work.remove();
  });

  it('proves the apex by HTTP-01 on the trigger listener and the wildcard by DNS-01 through its own DNS server', async () => {
    const answered = server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('answering an acme challenge'))
      .map((line) => JSON.parse(line) as { name: string; challenge: string });
    assert.deepEqual(answered.map((a) => `${a.name} ${a.challenge}`).sort(), [`*.${ZONE} dns-01`, `${ZONE} http-01`]);
    const seen = await peerCertificate(tlsPort, rootFile, ZONE);
    assert.match(seen.subjectaltname ?? '', new RegExp(`DNS:\\*\\.${ZONE.replace('.', '\\.')}`));
    assert.match(seen.subjectaltname ?? '', new RegExp(`DNS:${ZONE.replace('.', '\\.')}(,|$)`));
  });

  it("test 1: curl trusting only pebble's root fetches a dressed token path over HTTPS and the hit is recorded", async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'acme http-01' })).body;
    const answer = await curl([
      '--cacert',
      rootFile,
      '--resolve',
      `${ZONE}:${tlsPort}:127.0.0.1`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{content_type}',
      `https://${ZONE}:${tlsPort}/assets/${token.id}/banner.png`,
    ]);
    assert.equal(answer.code, 0, answer.stderr);
    assert.equal(answer.stdout, '200 image/gif');
    const hit = await waitFor('the https hit', async () => (await hitsOf(server, token.id))[0]);
    assert.equal(hit.detail.path, `/assets/${token.id}/banner.png`);
  });

  it("test 2: an HTTPS request to a DNS token's name resolves through Tripline's DNS (a hit) and the wildcard certificate is valid for it", async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'dns', memo: 'name under the zone' })).body;
    assert.equal(token.hostname, `${token.id}.${ZONE}`);
    const answer = await httpsThroughDns(`https://${token.hostname}:${tlsPort}/`, dnsPort, root);
    assert.deepEqual(answer, { status: 200, type: 'image/gif' });
    const hit = await waitFor('the dns hit', async () => (await hitsOf(server, token.id))[0]);
    assert.equal(hit.kind, 'dns');
    assert.equal(hit.detail.name, token.hostname);
    assert.equal(hit.detail.qtype, 'A');
  });

  it('keeps the certificate and the account in the store: a restart serves the same certificate without ordering', async () => {
    const before = await peerCertificate(tlsPort, rootFile, ZONE);
    await server.stop();
    server = await spawnServer(args, env);
    await waitFor('the certificate from the store', () => /tls certificate installed/.test(server.stdout()), 30_000, 100);
    assert.equal((await peerCertificate(tlsPort, rootFile, ZONE)).fingerprint256, before.fingerprint256);
    assert.doesNotMatch(server.stdout(), /ordering a tls certificate/);
  });
});
