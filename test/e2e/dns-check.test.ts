import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newSecret } from '../../src/core/ids.js';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { scratch } from './credentials-support.js';
import { dig } from './dns-support.js';

const ZONE = 'canary.example.test';

describe('tripline server --dns-zone and tripline dns check, as real processes', () => {
  const work = scratch('dns-check');
  const key = newSecret('tpl_test');
  let server: ServerProcess;
  let dnsPort: number;
  before(async () => {
    server = await spawnServer([...(await listenArgs()), '--db', join(work.dir, 't.db'), '--dns-zone', ZONE, '--dns-port', '0', '--dns-address', '127.0.0.1'], {
      TRIPLINE_ADMIN_KEY: key,
    });
    const line = server
      .stdout()
      .split('\n')
      .find((l) => l.includes('"msg":"dns server listening'));
    assert.ok(line, 'the server logged its DNS listener');
    dnsPort = (JSON.parse(line) as { port: number }).port;
  });
  after(async () => {
    await server.stop();
    work.remove();
  });

  it('serves the zone on the port it logged', async () => {
    const soa = await dig(dnsPort, ['SOA', ZONE]);
    assert.equal(soa.status, 'NOERROR');
    assert.ok(soa.flags.includes('aa'));
  });

  it('creates dns tokens under the zone it was started with', async () => {
    const created = await runCli(['token', 'create', '--kind', 'dns', '--memo', 'cli dns token', '--json'], {
      TRIPLINE_URL: server.adminUrl,
      TRIPLINE_KEY: key,
    });
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout);
    assert.equal(token.hostname, `${token.id}.${ZONE}`);
    assert.equal((await dig(dnsPort, [token.hostname])).answers[0]?.data, '127.0.0.1');
  });

  it('dns check says a good zone is reachable and answered correctly (exit 0)', async () => {
    // TRIPLINE_URL names the API server; only --server on the command line names a nameserver.
    const result = await runCli(['dns', 'check', '--zone', ZONE, '--server', `127.0.0.1:${dnsPort}`], { TRIPLINE_URL: server.adminUrl });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /ok\s+SOA\s+127\.0\.0\.1:\d+ is authoritative for canary\.example\.test/);
    assert.match(result.stdout, /ok\s+TCP/);
    assert.match(result.stdout, /ok\s+glue\s+ns1\.canary\.example\.test has address 127\.0\.0\.1/);
    assert.match(result.stdout, /ok\s+token names/);
    assert.match(result.stdout, /canary\.example\.test is reachable and answered correctly/);
  });

  it('dns check names the fix when the server does not serve the zone asked about (exit 1)', async () => {
    const result = await runCli(['dns', 'check', '--zone', 'wrong.example.test', '--server', `127.0.0.1:${dnsPort}`]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /PROBLEM\s+zone served\s+127\.0\.0\.1:\d+ refuses questions for wrong\.example\.test/);
    assert.match(result.stdout, /fix: start the server with --dns-zone wrong\.example\.test/);
  });

  it('dns check names the fix when nothing answers on the port (exit 1)', async () => {
    const closed = await freePort();
    const result = await runCli(['dns', 'check', '--zone', ZONE, '--server', `127.0.0.1:${closed}`, '--json']);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.findings[0].check, 'reachable');
    assert.match(report.findings[0].detail, /no DNS answer from 127\.0\.0\.1:\d+ over UDP or TCP/);
    assert.match(report.findings[0].fix, new RegExp(`port ${closed} is not reachable on 127\\.0\\.0\\.1`));
  });

  it('refuses DNS flags without a zone, with a message that says why', async () => {
    const result = await runCli(['server', ...(await listenArgs()), '--db', join(work.dir, 'other.db'), '--dns-port', '5353']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /need --dns-zone/);
  });
});
