/**
 * The credential listeners' hits as people read them (summary and facts, which every alert
 * channel carries), and the readers behind them: user names, addresses, mail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hitFacts } from '../../src/alerts/facts.js';
import type { Hit } from '../../src/core/model/hit.js';
import { hitDetailSchema } from '../../src/core/model/hit-detail.js';
import { summarizeMessage } from '../../src/server/listeners/mail-message.js';
import { tokenIdOfAddress } from '../../src/tokens/email.js';
import { parseMysqlUser } from '../../src/tokens/mysql-dump.js';
import { describeHit } from '../../src/tokens/registry.js';

const ID = 'tokenid234567abcdefghijklm';

function hit(kind: string, detail: Hit['detail']): Hit {
  return { id: '01hit', tokenId: ID, kind, at: '2030-01-01T00:00:00.000Z', source: '203.0.113.9', userAgent: null, detail: hitDetailSchema.parse(detail) };
}

const facts = (h: Hit) => Object.fromEntries(hitFacts(h).map((f) => [f.label, f.value]));

describe('credential listener hits, described', () => {
  test('ssh: the level, user, client version and key, on an ssh-key token and on a planted decoy file alike', () => {
    const detail = {
      type: 'ssh' as const,
      level: 'private-key-used' as const,
      user: 'root',
      clientVersion: 'SSH-2.0-OpenSSH_9.2p1',
      keyType: 'ssh-ed25519',
      fingerprint: 'SHA256:abc',
      summary: 'SSH root: signed with the decoy private key (ssh-ed25519)',
    };
    for (const kind of ['ssh-key', 'file']) {
      const described = facts(hit(kind, detail));
      assert.deepEqual(
        [described.Source, described.Level, described['SSH user'], described['Client version'], described.Key],
        ['203.0.113.9', 'private-key-used', 'root', 'SSH-2.0-OpenSSH_9.2p1', 'ssh-ed25519 SHA256:abc'],
      );
    }
  });

  test('mysql: the importing server of a replica connection, the client attributes', () => {
    const described = describeHit(
      hit('mysql-dump', {
        type: 'mysql',
        user: `repl_${ID}@db-7`,
        database: null,
        capabilities: 0x200,
        capabilityNames: ['PROTOCOL_41'],
        attributes: { _client_name: 'libmariadb' },
        authPlugin: 'mysql_native_password',
        serverHost: 'db-7',
        replica: true,
        summary: 'MySQL replica login',
      }),
    );
    assert.deepEqual(
      described.facts.map((f) => f.label),
      ['What', 'MySQL user', 'Importing server', 'Auth plugin', 'Client attributes', 'Capabilities'],
    );
    assert.equal(described.facts[2]!.value, 'db-7');
  });

  test('smtp and wireguard: envelope, HELO, subject, attachments; the client key and clock', () => {
    const mail = facts(
      hit('email', {
        type: 'smtp',
        helo: 'laptop',
        mailFrom: 'm@x.test',
        rcptTo: ['a@b.test'],
        recipient: 'a@b.test',
        subject: 'hi',
        headers: {},
        attachments: [{ name: 'a.pdf', contentType: 'application/pdf', size: 10 }],
        size: 100,
        truncated: false,
        summary: 'Mail',
      }),
    );
    assert.deepEqual([mail.Sender, mail.HELO, mail.Subject, mail.Attachment], ['m@x.test', 'laptop', 'hi', 'a.pdf (application/pdf, 10 bytes)']);
    const vpn = facts(hit('wireguard', { type: 'wireguard', publicKey: 'AAAA', handshakeTime: '2030-01-01T00:00:00.000Z', senderIndex: 1, summary: 'WG' }));
    assert.deepEqual([vpn['Client public key'], vpn["Client's clock"]], ['AAAA', '2030-01-01T00:00:00.000Z']);
  });
});

describe('what the listeners read a token from', () => {
  test("MySQL users: the dump's replica user carries the importing host, its client user only the id", () => {
    assert.deepEqual(parseMysqlUser(`repl_${ID}@db.example`), { tokenId: ID, replica: true, serverHost: 'db.example' });
    assert.deepEqual(parseMysqlUser(`BACKUP_${ID.toUpperCase()}`), { tokenId: ID, replica: false, serverHost: null });
    assert.equal(parseMysqlUser('root').tokenId, undefined);
    assert.equal(parseMysqlUser(`repl_${ID}x`).tokenId, undefined);
  });

  test('mail addresses: the id in the local part, in any case; none elsewhere', () => {
    assert.equal(tokenIdOfAddress(`payroll.${ID}@mail.test`), ID);
    assert.equal(tokenIdOfAddress(`Payroll.${ID.toUpperCase()}@mail.test`), ID);
    assert.equal(tokenIdOfAddress(`someone@${ID}.test`), undefined);
  });

  test('mail: headers, an encoded subject, and attachments in nested multiparts with their decoded sizes', () => {
    const message = [
      'Subject: =?utf-8?B?w7xiZXIgdW5z?=',
      'From: a@b.test',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'hello',
      '--inner--',
      '--outer',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(300, 1).toString('base64'),
      '--outer',
      "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt",
      '',
      'plain text',
      '--outer--',
      '',
    ].join('\r\n');
    const summary = summarizeMessage(Buffer.from(message));
    assert.equal(summary.subject, 'über uns');
    assert.equal(summary.headers.From, 'a@b.test');
    assert.deepEqual(summary.attachments, [
      { name: 'report.pdf', contentType: 'application/pdf', size: 300 },
      { name: 'résumé.txt', contentType: 'text/plain', size: 10 },
    ]);
    assert.deepEqual(summarizeMessage(Buffer.from('no headers at all')).attachments, []);
  });
});
