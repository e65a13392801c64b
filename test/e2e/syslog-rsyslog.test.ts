import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../support/ports.js';
import { runCli } from '../support/process.js';
import { parseCef } from '../support/cef.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { startRsyslog, type SyslogRecord, type TestRsyslog } from './rsyslog-support.js';

// What an attacker controls, with every character CEF must escape: =, \, line breaks (and a pipe, which only the header escapes).
const EVIL_UA = 'curl/8 a=b \\ c\\=d\nsecond line\r\nthird | x=';
const HTTP_UA = 'Mozilla/5.0 (key=value; C:\\Windows\\x=1) | pipe';

/** The structured data of a record as SD-ID to parameters (values unescaped). */
function structuredData(sd: string): Map<string, Map<string, string>> {
  const elements = new Map<string, Map<string, string>>();
  for (const element of sd.matchAll(/\[([^\s\]]+)((?:\s[^=\s]+="(?:[^"\\]|\\.)*")*)\]/g)) {
    const params = new Map<string, string>();
    for (const p of element[2]!.matchAll(/\s([^=\s]+)="((?:[^"\\]|\\.)*)"/g)) params.set(p[1]!, p[2]!.replace(/\\(["\\\]])/g, '$1'));
    elements.set(element[1]!, params);
  }
  return elements;
}

describe('syslog to Debian rsyslog over UDP, TCP and TLS', () => {
  let rsyslog: TestRsyslog;
  let server: TestServer;
  const channels: Record<string, string> = {};

  before(async () => {
    rsyslog = await startRsyslog();
    server = await startTestServer({ alerts: { allowPrivateTargets: true, backoffBaseMs: 100, backoffMaxMs: 200, pollMs: 50 } });
    for (const transport of ['udp', 'tcp', 'tls'] as const) {
      const created = await server.api('POST', '/channels', {
        kind: 'syslog',
        name: `syslog ${transport}`,
        url: `${transport}://127.0.0.1:${rsyslog.ports[transport]}`,
        format: 'cef',
        ...(transport === 'tls' ? { ca: rsyslog.certificate } : {}),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      channels[transport] = created.body.id;
    }
    const json = await server.api('POST', '/channels', { kind: 'syslog', name: 'syslog json', url: `tcp://127.0.0.1:${rsyslog.ports.tcp}`, format: 'json' });
    assert.equal(json.status, 201, JSON.stringify(json.body));
    channels.json = json.body.id;
  });

  after(async () => {
    await server?.close();
    await rsyslog?.stop();
  });

  async function recordsFor(tokenId: string, count: number): Promise<SyslogRecord[]> {
    return waitFor(`${count} syslog records for token ${tokenId}`, () => {
      const found = rsyslog.records().filter((r) => structuredData(r.sd).get('tripline@32473')?.get('token') === tokenId);
      return found.length >= count && found;
    });
  }

  test('a web-bug hit arrives on each transport with the RFC 5424 fields and a CEF body that parses back to source, user agent, token and memo', async () => {
    const memo = 'payroll = "Q3" \\ share';
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo, channels: [channels.udp, channels.tcp, channels.tls] })).body;
    const answer = await fetch(token.url, { headers: { 'user-agent': HTTP_UA } });
    assert.equal(answer.status, 200);

    const records = await recordsFor(token.id, 3);
    assert.deepEqual(records.map((r) => r.input).sort(), ['tcp', 'tls', 'udp']);
    for (const record of records) {
      assert.equal(record.version, '1', `${record.input}: parsed as RFC 5424`);
      assert.equal(record.appname, 'tripline');
      assert.equal(record.msgid, 'token-triggered');
      assert.equal(record.facility, '4', 'auth facility by default');
      assert.equal(record.severity, '2', 'an alert is critical');
      assert.equal(record.procid, String(process.pid));
      assert.ok(Date.parse(record.timestamp) > 0, record.timestamp);
      const sd = structuredData(record.sd).get('tripline@32473')!;
      assert.equal(sd.get('token'), token.id);
      assert.equal(sd.get('tokenKind'), 'http');
      assert.equal(sd.get('source'), '127.0.0.1');
      assert.equal(sd.get('hitCount'), '1');
      assert.match(sd.get('alert') ?? '', /^[0-9a-z]{26}$/);
      assert.equal(structuredData(record.sd).get('origin')?.get('software'), 'Tripline');

      const cef = parseCef(record.msg);
      assert.equal(cef.version, 'CEF:0');
      assert.equal(cef.vendor, 'Tripline');
      assert.equal(cef.eventClassId, 'token-triggered');
      assert.equal(cef.severity, '10');
      assert.equal(cef.name, `Canary token triggered: ${memo}`);
      assert.equal(cef.extension.get('src'), '127.0.0.1');
      assert.equal(cef.extension.get('requestClientApplication'), HTTP_UA);
      assert.equal(cef.extension.get('requestMethod'), 'GET');
      assert.equal(cef.extension.get('cs1Label'), 'Token ID');
      assert.equal(cef.extension.get('cs1'), token.id);
      assert.equal(cef.extension.get('cs2'), memo);
      assert.equal(cef.extension.get('externalId'), sd.get('alert'));
      assert.equal(cef.extension.get('cnt'), '1');
    }
  });

  test('a user agent with =, \\ and line breaks survives CEF escaping and parses back exactly, on every transport', async () => {
    const memo = 'decoy with a\nline break';
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo, channels: [channels.udp, channels.tcp, channels.tls] })).body;
    // No HTTP client can put a line break in a header, so this hit goes in through the server's own recorder.
    const { recorder, tokens } = server.server.services;
    await recorder.record(await tokens.repository.get(token.id), {
      source: '2001:db8::7',
      userAgent: EVIL_UA,
      detail: { type: 'http', method: 'GET', path: '/x', query: 'a=b', headers: { 'user-agent': EVIL_UA } },
    });
    const records = await recordsFor(token.id, 3);
    for (const record of records) {
      assert.doesNotMatch(record.msg, /[\n\r]/, `${record.input}: the body stays one line`);
      const cef = parseCef(record.msg);
      assert.equal(cef.extension.get('requestClientApplication'), EVIL_UA, record.input);
      assert.equal(cef.extension.get('cs2'), memo);
      assert.equal(cef.extension.get('c6a2'), '2001:db8::7');
      assert.equal(cef.extension.get('c6a2Label'), 'Source IPv6 Address');
      assert.equal(cef.extension.get('request'), '/x?a=b');
      assert.equal(cef.extension.get('cs1'), token.id);
      assert.ok(!cef.extension.has('src'));
    }
  });

  test('the JSON body carries the documented webhook JSON in the message', async () => {
    const token = (await server.api('POST', '/tokens', { kind: 'http', memo: 'json over syslog', channels: [channels.json] })).body;
    await fetch(token.url, { headers: { 'user-agent': HTTP_UA } });
    const [record] = await recordsFor(token.id, 1);
    assert.equal(record!.input, 'tcp');
    const body = JSON.parse(record!.msg);
    assert.equal(body.version, 1);
    assert.equal(body.event, 'alert');
    assert.equal(body.token.id, token.id);
    assert.equal(body.token.memo, 'json over syslog');
    assert.equal(body.firstHit.source, '127.0.0.1');
    assert.equal(body.firstHit.userAgent, HTTP_UA);
  });

  test("deliveries are recorded as delivered; a TLS channel that does not trust the receiver's certificate, or a closed TCP port, fails its test with the reason", async () => {
    const items = (await server.api('GET', '/deliveries?state=delivered')).body.items;
    assert.ok(items.length >= 7, `${items.length} delivered`);
    const untrusted = await server.api('POST', '/channels', { kind: 'syslog', url: `tls://127.0.0.1:${rsyslog.ports.tls}` });
    const tested = await server.api('POST', `/channels/${untrusted.body.id}/test`);
    assert.equal(tested.body.ok, false);
    assert.match(tested.body.error, /SELF_SIGNED|CERT/);
    // Nothing listening: the stream transports say so (UDP cannot tell).
    const closed = await freePort();
    const nowhere = await server.api('POST', '/channels', { kind: 'syslog', url: `tcp://127.0.0.1:${closed}` });
    const refused = await server.api('POST', `/channels/${nowhere.body.id}/test`);
    assert.deepEqual([refused.body.ok, refused.body.error], [false, 'connection failed: ECONNREFUSED']);
  });

  test('command line: channel add --kind syslog --url tls://HOST:PORT --format cef --tls-ca FILE, then channel test reaches rsyslog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tripline-syslog-cli-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, rsyslog.certificate);
      const env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key };
      const url = `tls://127.0.0.1:${rsyslog.ports.tls}`;
      const added = await runCli(
        ['channel', 'add', '--kind', 'syslog', '--url', url, '--format', 'cef', '--tls-ca', ca, '--facility', 'local3', '--json'],
        env,
      );
      assert.equal(added.code, 0, added.stderr);
      const channel = JSON.parse(added.stdout);
      assert.deepEqual(channel.settings, { url, format: 'cef', facility: 'local3', ca: 'own CA' });
      const tested = await runCli(['channel', 'test', channel.id], env);
      assert.equal(tested.code, 0, tested.stdout + tested.stderr);
      assert.match(tested.stdout, /^delivered/);
      const record = await waitFor('the test alert in rsyslog', () => rsyslog.records().find((r) => r.msgid === 'token-test' && r.facility === '19'));
      assert.equal(record.input, 'tls');
      assert.equal(record.severity, '6', 'a test alert is informational');
      assert.equal(parseCef(record.msg).extension.get('cs2'), `Test alert for channel "${channel.name}"`);
      const refused = await runCli(['channel', 'add', '--kind', 'syslog', '--url', url, '--format', 'xml'], env);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr + refused.stdout, /format must be cef or json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
