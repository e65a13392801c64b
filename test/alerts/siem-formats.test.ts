import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderCef } from '../../src/alerts/cef.js';
import { mattermostPayload } from '../../src/alerts/channels/mattermost.js';
import { otlpPayload } from '../../src/alerts/channels/otlp.js';
import { pagerdutyPayload } from '../../src/alerts/channels/pagerduty.js';
import { parseSyslogUrl, syslogChannel, syslogMessage } from '../../src/alerts/channels/syslog.js';
import { telegramText } from '../../src/alerts/channels/telegram.js';
import { ecsDocument } from '../../src/alerts/ecs.js';
import { testMessage, type AlertMessage } from '../../src/alerts/message.js';
import { octetCounted, rfc5424 } from '../../src/alerts/syslog-message.js';
import type { FileHitDetail } from '../../src/core/model/hit-detail.js';
import { parseCef } from '../support/cef.js';
import pino from 'pino';

const POD_UID = '1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901';

function processInfo(pid: number, binary: string, cgroup: string, containerId: string | null) {
  return {
    pid,
    uid: 1000,
    auid: 1000,
    binary,
    arguments: ['-c', 'cat /secrets/aws'],
    cwd: '/app',
    startTime: '2030-01-01T00:00:00Z',
    execId: 'e',
    containerId,
    cgroup,
  };
}

function fileMessage(cgroup: string): AlertMessage {
  const message = testMessage('https://canary.example.com', 'formats');
  const detail: FileHitDetail = {
    type: 'file',
    summary: 'read',
    node: 'worker-3',
    policy: 'decoy-aws',
    hook: 'security_file_permission',
    actions: ['post'],
    access: {
      time: '2030-01-01T00:00:00Z',
      access: 'read',
      path: '/secrets/aws/credentials',
      dev: 1,
      ino: 2,
      permission: true,
      process: processInfo(4242, '/usr/bin/cat', cgroup, 'abc123def456'),
      parent: processInfo(4000, '/bin/sh', cgroup, 'abc123def456'),
    },
  };
  return { ...message, purpose: 'alert', alertId: '01alert', firstHit: { ...message.firstHit, kind: 'file', source: 'worker-3', userAgent: null, detail } };
}

function withUserAgent(userAgent: string, memo = 'memo'): AlertMessage {
  const message = testMessage('https://canary.example.com', 'formats');
  return { ...message, purpose: 'alert', alertId: '01alert', token: { ...message.token, memo }, firstHit: { ...message.firstHit, userAgent } };
}

describe('CEF (ArcSight guide)', () => {
  test('the header escapes \\ and |, and stays on one line; extension values escape \\, = and line breaks and parse back', () => {
    const memo = 'finance | share \\ Q3\nnext';
    const ua = 'x=1 \\ y\r\nz |';
    const line = renderCef(withUserAgent(ua, memo));
    assert.doesNotMatch(line, /[\r\n]/);
    const cef = parseCef(line);
    assert.equal(cef.name, 'Canary token triggered: finance | share \\ Q3<U+000A>next', 'a line break in the header is written out');
    assert.equal(cef.extension.get('requestClientApplication'), ua);
    assert.equal(cef.extension.get('cs2'), memo);
    assert.equal(cef.severity, '10');
  });

  test('control and bidi characters are written out, not passed to the collector', () => {
    const cef = parseCef(renderCef(withUserAgent('evil\u001b[31m\u202Egpj.exe\u0000')));
    assert.equal(cef.extension.get('requestClientApplication'), 'evil<U+001B>[31m<U+202E>gpj.exe<U+0000>');
  });

  test('a file hit carries path, node, process and container', () => {
    const cef = parseCef(renderCef(fileMessage('/')));
    assert.equal(cef.extension.get('filePath'), '/secrets/aws/credentials');
    assert.equal(cef.extension.get('fname'), 'credentials');
    assert.equal(cef.extension.get('dvchost'), 'worker-3');
    assert.equal(cef.extension.get('sproc'), 'cat');
    assert.equal(cef.extension.get('spid'), '4242');
    assert.equal(cef.extension.get('cs6'), 'abc123def456');
    assert.equal(cef.extension.get('shost'), 'worker-3', 'a source that is not an address');
  });
});

describe('RFC 5424 and RFC 6587', () => {
  test('PRI from facility and severity; header fields printable ASCII; SD values escape ", \\ and ]', () => {
    const line = rfc5424({
      facility: 'local3',
      level: 'critical',
      timestamp: '2030-01-01T00:00:00.000Z',
      appName: 'trip line',
      msgId: 'token-triggered',
      host: 'host name',
      data: [['tripline@32473', [['source', 'a"b\\c]d\ne']]]],
      msg: 'hello',
    });
    assert.equal(
      line,
      `<154>1 2030-01-01T00:00:00.000Z host_name trip_line ${process.pid} token-triggered [tripline@32473 source="a\\"b\\\\c\\]d<U+000A>e"] hello`,
    );
  });

  test('octet counting counts bytes, not characters', () => {
    assert.equal(octetCounted('é€'), '5 é€');
  });

  test('a digest is a warning, a test informational; the message names the event in MSGID', () => {
    const test = syslogMessage(testMessage('https://x', 'c'), { facility: 'auth' }, '2030-01-01T00:00:00.000Z');
    assert.match(test, /^<38>1 2030-01-01T00:00:00.000Z \S+ tripline \d+ token-test \[tripline@32473 /);
    const digest = syslogMessage({ ...withUserAgent('u'), purpose: 'digest', moreHits: 3 }, { facility: 'auth' });
    assert.match(digest, /^<36>1 .* token-digest /);
  });

  test('URLs: udp, tcp and tls with default ports; anything else refused', () => {
    assert.equal(parseSyslogUrl('udp://siem.example.com').url, 'udp://siem.example.com:514');
    assert.equal(parseSyslogUrl('tls://siem.example.com').url, 'tls://siem.example.com:6514');
    assert.deepEqual(parseSyslogUrl('tcp://[2001:db8::1]:1514').target, { transport: 'tcp', host: '2001:db8::1', port: 1514 });
    for (const bad of ['https://siem.example.com', 'udp://siem.example.com/path', 'tcp://u:p@siem.example.com', 'udp://', 'siem.example.com:514']) {
      assert.throws(() => parseSyslogUrl(bad), /url/, bad);
    }
  });

  test('a loopback target is refused without --allow-private-targets, before anything is sent', async () => {
    const result = await syslogChannel.send(
      testMessage('https://x', 'c'),
      { url: 'udp://127.0.0.1:9', format: 'cef' },
      { timeoutMs: 1000, allowPrivateTargets: false, log: pino({ level: 'silent' }) },
    );
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /refused: 127\.0\.0\.1 \(loopback\)/);
  });
});

describe('ECS and OTLP', () => {
  test('ECS: a decoy file hit in a Kubernetes pod (systemd cgroup driver) has file, process, parent, container and orchestrator fields', () => {
    const cgroup = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_UID.replace(/-/g, '_')}.slice/cri-containerd-abc123def456.scope`;
    const doc = ecsDocument(fileMessage(cgroup)) as any;
    assert.deepEqual(doc.event.category, ['intrusion_detection', 'file']);
    assert.equal(doc.file.path, '/secrets/aws/credentials');
    assert.equal(doc.host.name, 'worker-3');
    assert.equal(doc.process.pid, 4242);
    assert.equal(doc.process.executable, '/usr/bin/cat');
    assert.deepEqual(doc.process.args, ['/usr/bin/cat', '-c', 'cat /secrets/aws']);
    assert.equal(doc.process.parent.executable, '/bin/sh');
    assert.equal(doc.process.user.id, '1000');
    assert.equal(doc.container.id, 'abc123def456');
    assert.deepEqual(doc.orchestrator, { type: 'kubernetes', resource: { type: 'pod', id: POD_UID } });
    assert.equal(doc.source.ip, undefined, 'a node name is no IP');
    assert.equal(doc.source.address, 'worker-3');
    assert.equal(doc.tripline.file.policy, 'decoy-aws');
  });

  test('ECS: the pod UID is found in a cgroupfs path too, and not invented on the host', () => {
    assert.equal((ecsDocument(fileMessage(`/kubepods/besteffort/pod${POD_UID}/abc123def456`)) as any).orchestrator.resource.id, POD_UID);
    assert.equal((ecsDocument(fileMessage('/system.slice/cron.service')) as any).orchestrator, undefined);
  });

  test('OTLP: process, container and pod attributes for a file hit; int64 values as strings', () => {
    const message = fileMessage(`/kubepods/pod${POD_UID}/abc`);
    const body = otlpPayload(message) as any;
    const record = body.resourceLogs[0].scopeLogs[0].logRecords[0];
    const attr = new Map(record.attributes.map((a: { key: string; value: Record<string, string> }) => [a.key, a.value.stringValue ?? a.value.intValue]));
    assert.equal(attr.get('file.path'), '/secrets/aws/credentials');
    assert.equal(attr.get('process.pid'), '4242');
    assert.equal(attr.get('container.id'), 'abc123def456');
    assert.equal(attr.get('k8s.pod.uid'), POD_UID);
    assert.equal(attr.get('event.name'), 'tripline.token-triggered');
    assert.equal(record.timeUnixNano, String(Date.parse(message.firstHit.at) * 1_000_000));
  });
});

describe('paging and chat', () => {
  test('PagerDuty: the summary stays within 1024 characters whatever the memo; dedup_key is the alert id', () => {
    const body = pagerdutyPayload(withUserAgent('u', 'm'.repeat(5000)), { routingKey: 'k', severity: 'critical' }) as any;
    assert.ok(body.payload.summary.length <= 1024);
    assert.equal(body.dedup_key, '01alert');
  });

  test('Mattermost: @channel, @all and @here in attacker text mention no one; Markdown links are escaped', () => {
    const text = JSON.stringify(mattermostPayload(withUserAgent('@channel @all @here [x](http://e)', '@here memo')));
    assert.doesNotMatch(text, /@(channel|all|here)/);
    assert.doesNotMatch(text, /\[x\]\(http/);
  });

  test('Telegram: the text stays within 4096 characters with huge evidence, and is HTML-escaped', () => {
    const message = withUserAgent(`<a href="x">${'z'.repeat(20_000)}`);
    const headers = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x-h${i}`, 'v'.repeat(2000)]));
    const text = telegramText({ ...message, firstHit: { ...message.firstHit, detail: { type: 'http', method: 'GET', path: '/', query: '', headers } } });
    assert.ok(text.length <= 4096, `${text.length}`);
    assert.ok(!text.includes('<a href="x">'));
    assert.ok(text.includes('&lt;a href=&quot;x&quot;&gt;'));
  });
});
