/**
 * `tripline doctor` against real servers: a healthy deployment (DNS zone, HTTPS with an openssl
 * certificate, a webhook channel, an SMTP server, an agent that sent its heartbeat) exits 0; each
 * broken case (a public URL that leads elsewhere, no delegation, the DNS port held by another
 * server, an expired certificate, a dead channel, a silent agent) is reported with its fix and
 * exits 1.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { heartbeat } from '../server/agents-support.js';
import { startSmtp } from '../alerts/support/smtp.js';
import { callApi } from '../support/api.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { freePort } from '../support/ports.js';
import { runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { scratch } from './credentials-support.js';
import { makeCertificate, makeExpiredCertificate } from './tls-support.js';

const KEY = 'tpl_admin_doctor_test_key_0123456789abcdefg';
const ZONE = 'canary.test';
const SMTP = { user: 'tripline', password: 'doctor-smtp-secret' };

interface Finding {
  status: 'ok' | 'warning' | 'problem' | 'skipped';
  check: string;
  detail: string;
  fix?: string;
}

describe('tripline doctor', () => {
  const work = scratch('doctor');
  const receiver = new HttpReceiver();
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let healthy: ServerProcess;
  let broken: ServerProcess;
  let healthyDns: number;
  let brokenDns: number;
  let trust: string;

  async function doctor(server: ServerProcess, args: string[]): Promise<{ code: number; report: { ok: boolean; findings: Finding[] }; text: string }> {
    const env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: KEY, NODE_EXTRA_CA_CERTS: trust };
    const json = await runCli(['doctor', '--json', ...args], env);
    const text = await runCli(['doctor', ...args], env);
    assert.equal(text.code, json.code, 'the same exit status with and without --json');
    return { code: json.code, report: JSON.parse(json.stdout), text: text.stdout };
  }

  const problems = (report: { findings: Finding[] }) => report.findings.filter((finding) => finding.status === 'problem');

  before(async () => {
    await receiver.start();
    smtp = await startSmtp(SMTP);
    const good = makeCertificate(work.dir, 'good', [ZONE, `*.${ZONE}`, '127.0.0.1']);
    const expired = makeExpiredCertificate(work.dir, 'expired', ['parent.test']);
    trust = `${work.dir}/trust.pem`;
    writeFileSync(trust, readFileSync(good.ca, 'utf8') + readFileSync(expired.ca, 'utf8'));
    [healthyDns, brokenDns] = [await freePort(), await freePort()];
    const listeners = async () => [
      '--listen',
      `127.0.0.1:${await freePort()}`,
      '--admin-listen',
      `127.0.0.1:${await freePort()}`,
      '--tls-listen',
      `127.0.0.1:${await freePort()}`,
    ];
    [healthy, broken] = await Promise.all([
      spawnServer(
        [
          ...(await listeners()),
          ...['--tls-cert', good.cert, '--tls-key', good.key, '--dns-zone', ZONE, '--dns-port', String(healthyDns), '--dns-address', '127.0.0.1'],
          ...['--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-tls', 'none', '--smtp-user', SMTP.user, '--smtp-password', SMTP.password],
          ...['--allow-private-targets', '--db', `${work.dir}/healthy.db`],
        ],
        { TRIPLINE_ADMIN_KEY: KEY },
      ),
      // The parent zone's server, which does not delegate canary.test, with a public URL that leads
      // nowhere and an expired certificate.
      spawnServer(
        [
          ...(await listeners()),
          ...['--tls-cert', expired.cert, '--tls-key', expired.key, '--dns-zone', 'test', '--dns-port', String(brokenDns), '--dns-address', '127.0.0.1'],
          ...['--public-url', `http://127.0.0.1:${await freePort()}`, '--db', `${work.dir}/broken.db`],
        ],
        { TRIPLINE_ADMIN_KEY: KEY },
      ),
    ]);
    assert.equal((await healthy.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/hook'), name: 'ops webhook' })).status, 201);
    const agent = await healthy.api('POST', '/agents', { name: 'web-01' });
    assert.equal(agent.status, 201);
    assert.equal((await callApi(healthy.adminUrl, agent.body.key, 'POST', '/agents/heartbeat', { body: heartbeat() })).status, 200);
  });

  after(async () => {
    await Promise.all([healthy?.stop(), broken?.stop()]);
    await receiver.stop();
    await smtp?.stop();
    work.remove();
  });

  it('exits 0 on a healthy deployment, every check ok (the loopback public URL only warned about)', async () => {
    const { code, report, text } = await doctor(healthy, ['--dns-server', `127.0.0.1:${healthyDns}`, '--tls-name', ZONE, '--smtp-test', 'soc@example.com']);
    assert.equal(code, 0, text);
    assert.equal(report.ok, true);
    const byCheck = new Map(report.findings.map((finding) => [finding.check, finding]));
    for (const check of [
      'public URL',
      'DNS SOA',
      'DNS token names',
      'certificate expiry',
      'certificate chain',
      'certificate names',
      'channel ops webhook',
      'SMTP',
      'agent web-01',
      'clock (server)',
      'clock (store)',
    ]) {
      assert.equal(byCheck.get(check)?.status, 'ok', `${check}: ${JSON.stringify(byCheck.get(check))}`);
    }
    assert.ok(
      receiver.received.some((request) => request.body?.event === 'test'),
      'the channel got its test alert',
    );
    assert.ok(
      smtp.mails.some((mail) => mail.to.includes('soc@example.com')),
      'the test mail arrived',
    );
    assert.equal((await healthy.api('GET', '/channels')).body.items.length, 1, 'the SMTP test channel is gone again');
    assert.equal(byCheck.get('public URL address')?.status, 'warning', 'a loopback public URL is only warned about');
    assert.match(text, /no problems found/);
  });

  it('reports a zone its parent does not delegate, with the NS and glue records to add', async () => {
    const { code, report } = await doctor(healthy, ['--resolver', `127.0.0.1:${brokenDns}`]);
    assert.equal(code, 1);
    const [problem] = problems(report);
    assert.equal(problem?.check, 'DNS delegation');
    assert.match(problem!.detail, /canary\.test does not exist in DNS \(NXDOMAIN/);
    assert.match(problem!.fix!, /add at the parent zone \(test\): "canary\.test\. IN NS ns1\.canary\.test\."/);
  });

  it('reports the DNS port answered by another server, with how to free it', async () => {
    const { code, report, text } = await doctor(healthy, ['--dns-server', `127.0.0.1:${brokenDns}`]);
    assert.equal(code, 1);
    const port = problems(report).find((finding) => finding.check === 'DNS port');
    assert.ok(port, JSON.stringify(report.findings));
    assert.match(
      port.detail,
      new RegExp(`127\\.0\\.0\\.1:${brokenDns} is not answered by this Tripline server \\(its DNS listener is 127\\.0\\.0\\.1:${healthyDns}\\)`),
    );
    assert.match(port.fix!, /DNSStubListener=no|ss -lunp/);
    assert.match(text, /PROBLEM +DNS port/);
  });

  it('reports a public URL that leads elsewhere and an expired certificate, each with its fix', async () => {
    const { code, report } = await doctor(broken, ['--dns-server', `127.0.0.1:${brokenDns}`, '--tls-name', 'parent.test']);
    assert.equal(code, 1);
    const found = new Map(problems(report).map((finding) => [finding.check, finding]));
    assert.match(found.get('public URL')?.detail ?? '', /does not answer \(ECONNREFUSED\)/);
    assert.match(found.get('public URL')?.fix ?? '', /--public-url set to the address the internet reaches its trigger listener/);
    assert.match(found.get('certificate expiry')?.detail ?? '', /the certificate expired 2020-01-02T00:00:00\.000Z/);
    assert.match(found.get('certificate expiry')?.fix ?? '', /--tls-cert\/--tls-key files/);
    assert.deepEqual([...found.keys()].sort(), ['certificate expiry', 'public URL']);
  });

  it('reports a dead channel and a silent agent, each with its fix', async () => {
    const dead = await healthy.api('POST', '/channels', { kind: 'webhook', url: `http://127.0.0.1:${await freePort()}/hook`, name: 'dead hook' });
    const silent = await healthy.api('POST', '/agents', { name: 'db-02' });
    try {
      const { code, report } = await doctor(healthy, ['--dns-server', `127.0.0.1:${healthyDns}`, '--tls-name', ZONE]);
      assert.equal(code, 1);
      const found = new Map(problems(report).map((finding) => [finding.check, finding]));
      assert.deepEqual([...found.keys()].sort(), ['agent db-02', 'channel dead hook']);
      assert.match(found.get('channel dead hook')!.detail, /webhook: the test alert failed/);
      assert.match(found.get('channel dead hook')!.fix!, /tripline channel test/);
      assert.equal(found.get('agent db-02')!.detail, 'enrolled but never heard from');
      assert.match(found.get('agent db-02')!.fix!, /on db-02: check that tripline agent runs/);
    } finally {
      await healthy.api('DELETE', `/channels/${dead.body.id}`);
      await healthy.api('DELETE', `/agents/${silent.body.id}`);
    }
  });
});
