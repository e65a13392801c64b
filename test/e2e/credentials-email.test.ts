/**
 * email tokens: swaks delivers to the SMTP listener of a real `tripline server` process, and dig
 * asks its DNS zone for the mail domain's MX.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hitsOf } from '../support/api.js';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { cleanEnv, run, scratch } from './credentials-support.js';
import { dig } from './dns-support.js';

const ZONE = 'canary.example.test';

describe('email tokens with swaks and dig', () => {
  const work = scratch('email');
  let server: ServerProcess;
  let smtpPort: number;
  let dnsPort: number;
  let env: Record<string, string>;
  before(async () => {
    smtpPort = await freePort();
    dnsPort = await freePort();
    server = await spawnServer(
      [
        ...(await listenArgs()),
        '--db',
        join(work.dir, 'tripline.db'),
        '--smtp-listen',
        `127.0.0.1:${smtpPort}`,
        '--dns-zone',
        ZONE,
        '--dns-port',
        String(dnsPort),
        '--dns-address',
        '127.0.0.1',
      ],
      { TRIPLINE_ADMIN_KEY: 'k'.repeat(40) },
    );
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key };
  });
  after(async () => {
    await server.stop();
    work.remove();
  });

  async function createToken(memo: string): Promise<{ id: string; address: string }> {
    const created = await runCli(['token', 'create', '--kind', 'email', '--memo', memo, '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout);
    return { id: token.id, address: token.artifact.address };
  }

  function swaks(args: string[]) {
    return run(
      'swaks',
      ['--server', `127.0.0.1:${smtpPort}`, '--helo', 'laptop.intruder.test', '--timeout', '20', ...args],
      cleanEnv(work.dir),
      undefined,
      60_000,
    );
  }

  it('hands out <name>.<id>@<zone> as the address', async () => {
    const { id, address } = await createToken('address in the CRM export');
    assert.match(address, new RegExp(`^[a-z0-9-]+\\.${id}@${ZONE.replace(/\./g, '\\.')}$`));
  });

  it('swaks --to <address> is accepted like any mail, and the hit has sender, subject, HELO and the attachment', async () => {
    const { id, address } = await createToken('address in the wiki');
    const attachment = join(work.dir, 'invoice.pdf');
    writeFileSync(attachment, Buffer.alloc(3000, 7));
    const sent = await swaks(['--to', address, '--from', 'mallory@intruder.test', '--header', 'Subject: quarterly numbers', '--attach', `@${attachment}`]);
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /<- {2}220 mx\.canary\.example\.test ESMTP Postfix \(Debian\/GNU\)/);
    assert.match(sent.stdout, /<- {2}250 Ok: queued as [0-9A-F]{10}/);
    const [hit, ...rest] = await hitsOf(server, id);
    assert.equal(rest.length, 0);
    assert.equal(hit.detail.type, 'smtp');
    assert.equal(hit.detail.mailFrom, 'mallory@intruder.test');
    assert.equal(hit.detail.recipient, address);
    assert.equal(hit.detail.helo, 'laptop.intruder.test');
    assert.equal(hit.detail.subject, 'quarterly numbers');
    assert.deepEqual(hit.detail.attachments, [{ name: 'invoice.pdf', contentType: 'application/octet-stream', size: 3000 }]);
    assert.equal(hit.source, '127.0.0.1');
    assert.ok(hit.facts.some((f: { label: string; value: string }) => f.label === 'HELO' && f.value === 'laptop.intruder.test'));
  });

  it('an unknown address in the domain gets the same answers and records nothing; another domain is refused as relaying', async () => {
    const { id } = await createToken('control token');
    const unknown = await swaks(['--to', `payroll.${'a'.repeat(26)}@${ZONE}`, '--from', 'x@intruder.test']);
    assert.equal(unknown.code, 0, unknown.stdout);
    assert.match(unknown.stdout, /<- {2}250 Ok: queued as/);
    const relay = await swaks(['--to', 'someone@elsewhere.test', '--from', 'x@intruder.test']);
    assert.notEqual(relay.code, 0);
    assert.match(relay.stdout, /<\*\* 454 <someone@elsewhere\.test>: Relay access denied/);
    assert.deepEqual(await hitsOf(server, id), []);
  });

  it('dig MX <mail domain> answers with the mail host, and the mail host resolves to the zone address', async () => {
    const mx = await dig(dnsPort, ['MX', ZONE]);
    assert.equal(mx.status, 'NOERROR');
    assert.deepEqual(
      mx.answers.map((r) => [r.name, r.type, r.data]),
      [[`${ZONE}.`, 'MX', `10 mx.${ZONE}.`]],
    );
    const host = await dig(dnsPort, ['A', `mx.${ZONE}`]);
    assert.deepEqual(
      host.answers.map((r) => r.data),
      ['127.0.0.1'],
    );
  });
});
