import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRetryAfter } from '../../src/alerts/retry-after.js';
import { alertmanagerPayload } from '../../src/alerts/channels/alertmanager.js';
import { discordPayload } from '../../src/alerts/channels/discord.js';
import { googleChatPayload } from '../../src/alerts/channels/googlechat.js';
import { redactUrl } from '../../src/alerts/channels/http-channel.js';
import { slackPayload } from '../../src/alerts/channels/slack.js';
import { teamsPayload } from '../../src/alerts/channels/teams.js';
import { webhookPayload } from '../../src/alerts/channels/webhook.js';
import { renderEmail } from '../../src/alerts/email-render.js';
import { escapeHtml, escapeMarkdown, escapeSlack } from '../../src/alerts/escape.js';
import { headline, hitFacts, summary } from '../../src/alerts/facts.js';
import { buildMessage, type AlertMessage } from '../../src/alerts/message.js';
import { signBody, verifySignature } from '../../src/alerts/signature.js';
import type { FileHitDetail, HttpHitDetail } from '../../src/core/model/hit-detail.js';
import type { Alert } from '../../src/store/repositories/alerts.js';
import type { Hit } from '../../src/store/repositories/hits.js';

const EVIL_UA = '<script>alert(1)</script> <!channel> @everyone [x](http://evil.example) *bold*';

function alert(fields: Partial<Alert> = {}): Alert {
  return {
    id: '01alert',
    tokenId: 'tokenid234567abcdefghijklm',
    tokenKind: 'http',
    tokenMemo: 'web bug in payroll.xlsx',
    groupKey: 'k',
    source: '203.0.113.9',
    userAgent: EVIL_UA,
    firstHitId: '01hit',
    firstHitAt: '2030-01-01T00:00:00.000Z',
    lastHitAt: '2030-01-01T00:00:30.000Z',
    hitCount: 1,
    windowStart: '2030-01-01T00:00:00.000Z',
    windowEnd: '2030-01-01T00:01:00.000Z',
    digestScheduled: false,
    closedAt: null,
    foldedKeys: 0,
    createdAt: '2030-01-01T00:00:00.000Z',
    ...fields,
  };
}

function httpHit(): Hit {
  return {
    id: '01hit',
    tokenId: 'tokenid234567abcdefghijklm',
    kind: 'http',
    at: '2030-01-01T00:00:00.000Z',
    source: '203.0.113.9',
    userAgent: EVIL_UA,
    detail: {
      type: 'http',
      method: 'GET',
      path: '/assets/x/<img src=x onerror=alert(2)>',
      query: 'a=<b>',
      headers: { 'user-agent': EVIL_UA, 'x-evil': '"><svg onload=alert(3)>' },
    },
  };
}

function fileHit(): Hit {
  const detail: FileHitDetail = {
    type: 'file',
    summary: '',
    node: 'db-1',
    policy: 'decoy-passwords',
    hook: 'security_file_permission',
    actions: ['post', 'sigkill'],
    access: {
      time: '2030-01-01T00:00:00Z',
      access: 'read',
      path: '/etc/decoy/passwords.txt',
      dev: 2049,
      ino: 1234,
      permission: true,
      process: {
        pid: 4242,
        uid: 0,
        auid: 1000,
        binary: '/usr/bin/cat',
        arguments: ['/etc/decoy/passwords.txt', '<script>x</script>'],
        cwd: '/root',
        startTime: '2030-01-01T00:00:00Z',
        execId: 'ZXhlYw',
        containerId: null,
        cgroup: '/',
      },
      parent: {
        pid: 4000,
        uid: 0,
        auid: 1000,
        binary: '/usr/bin/bash',
        arguments: [],
        cwd: '/root',
        startTime: '2030-01-01T00:00:00Z',
        execId: 'cGFyZW50',
        containerId: null,
        cgroup: '/',
      },
    },
  };
  return { id: '01hit', tokenId: 'tokenid234567abcdefghijklm', kind: 'file', at: '2030-01-01T00:00:00.000Z', source: 'db-1', userAgent: null, detail };
}

function message(hit: Hit, purpose: 'alert' | 'digest' = 'alert', fields: Partial<Alert> = {}): AlertMessage {
  return buildMessage({
    purpose,
    alert: alert({ tokenKind: hit.kind, source: hit.source, userAgent: hit.userAgent, ...fields }),
    hit,
    deliveryId: '01delivery',
    publicUrl: 'https://canary.example.com/',
  });
}

describe('escaping', () => {
  test('HTML, Slack and Markdown escapes neutralise their control characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(escapeSlack('<!channel> & <http://x|y>'), '&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    assert.equal(escapeMarkdown('[x](http://e) *b* `c`'), '\\[x\\]\\(http://e\\) \\*b\\* \\`c\\`');
  });
});

describe('generic webhook payload', () => {
  test('carries alert, token, first hit with ISO time, source, user agent, headers and the dashboard link', () => {
    const payload = webhookPayload(message(httpHit()), '2030-01-01T00:00:01.000Z');
    assert.equal(payload.version, 1);
    assert.equal(payload.event, 'alert');
    assert.equal(payload.alertId, '01alert');
    assert.equal(payload.deliveryId, '01delivery');
    assert.deepEqual(payload.token, {
      id: 'tokenid234567abcdefghijklm',
      kind: 'http',
      memo: 'web bug in payroll.xlsx',
      url: 'https://canary.example.com/ui/tokens/tokenid234567abcdefghijklm',
    });
    assert.equal(payload.firstHit.at, '2030-01-01T00:00:00.000Z');
    assert.equal(payload.firstHit.source, '203.0.113.9');
    assert.equal(payload.firstHit.userAgent, EVIL_UA, 'JSON carries the user agent as sent');
    assert.equal((payload.firstHit.request!.headers as Record<string, string>)['x-evil'], '"><svg onload=alert(3)>');
    assert.equal(payload.firstHit.file, null);
    assert.equal(payload.hitCount, 1);
  });

  test('for a file hit carries the file and the process, with its parent', () => {
    const payload = webhookPayload(message(fileHit()));
    assert.deepEqual(payload.firstHit.file, {
      node: 'db-1',
      path: '/etc/decoy/passwords.txt',
      access: 'read',
      change: null,
      policy: 'decoy-passwords',
      actions: ['post', 'sigkill'],
      decoyCopy: null,
    });
    assert.equal((payload.firstHit.process as { binary: string }).binary, '/usr/bin/cat');
    assert.equal((payload.firstHit.process as { uid: number }).uid, 0);
    assert.equal((payload.firstHit.parent as { binary: string }).binary, '/usr/bin/bash');
    assert.equal(payload.firstHit.request, null);
  });

  test("for a touched container decoy copy carries whose copy it was, apart from the accessor's pod", () => {
    const hit = fileHit();
    const copy = {
      decoy: 'ssh-key',
      pod: { namespace: 'shop', name: 'web-7d9f', uid: '0c1d2e3f-0000-4000-8000-000000000001' },
      container: { id: 'abc123', name: 'web' },
      path: '/root/.ssh/id_rsa',
    };
    if (hit.detail.type === 'file') hit.detail.access!.decoyCopy = copy;
    const payload = webhookPayload(message(hit));
    assert.deepEqual(payload.firstHit.file!.decoyCopy, copy);
    assert.deepEqual(
      payload.firstHit.facts.find((f) => f.label === 'Decoy copy'),
      { label: 'Decoy copy', value: 'shop/web-7d9f (container web) /root/.ssh/id_rsa' },
    );
  });

  test('a digest says how many more hits folded in', () => {
    const payload = webhookPayload(message(httpHit(), 'digest', { hitCount: 42 }));
    assert.equal(payload.event, 'digest');
    assert.equal(payload.hitCount, 42);
    assert.equal(payload.moreHits, 41);
  });

  test('the signature is HMAC-SHA256 of the body and fails on any change', () => {
    const body = JSON.stringify(webhookPayload(message(httpHit())));
    const signature = signBody('s3cret-s3cret-s3cret', body);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifySignature('s3cret-s3cret-s3cret', body, signature));
    assert.ok(!verifySignature('s3cret-s3cret-s3cret', body.replace('payroll', 'paxroll'), signature));
    assert.ok(!verifySignature('another-secret-value', body, signature));
    assert.ok(!verifySignature('s3cret-s3cret-s3cret', body, undefined));
    assert.ok(!verifySignature('s3cret-s3cret-s3cret', body, 'sha256=00'));
  });
});

describe('chat payloads', () => {
  test('Slack: text and blocks with source, user agent and memo; attacker text cannot link or mention', () => {
    const payload = slackPayload(message(httpHit())) as { text: string; blocks: { type: string }[] };
    const json = JSON.stringify(payload);
    assert.ok(payload.text.includes('web bug in payroll.xlsx'));
    assert.ok(json.includes('203.0.113.9'));
    assert.ok(json.includes('&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt;'));
    assert.ok(!json.includes('<!channel>') && !json.includes('<script>'));
    assert.ok(json.includes('<https://canary.example.com/ui/tokens/tokenid234567abcdefghijklm|Open the token in Tripline>'));
    assert.deepEqual(payload.blocks.map((b) => b.type).slice(0, 3), ['header', 'section', 'section']);
  });

  test('Slack: code blocks of long evidence cannot be closed by the attacker', () => {
    const hit = httpHit();
    (hit.detail as HttpHitDetail).headers['x-break'] = '```*not code*';
    const json = JSON.stringify(slackPayload(message(hit)));
    assert.ok(!json.slice(json.indexOf('Headers')).match(/[^`]```\*not code/));
  });

  test('Teams: an Adaptive Card message with the facts, markdown escaped', () => {
    const payload = teamsPayload(message(httpHit())) as any;
    const card = payload.attachments[0].content;
    assert.equal(payload.type, 'message');
    assert.equal(card.type, 'AdaptiveCard');
    const facts = card.body.find((b: { type: string }) => b.type === 'FactSet').facts;
    assert.ok(facts.some((f: { value: string }) => f.value === '203.0.113.9'));
    assert.ok(JSON.stringify(card).includes('\\\\[x\\\\]\\\\(http://evil.example\\\\)'));
    assert.equal(card.actions[0].url, 'https://canary.example.com/ui/tokens/tokenid234567abcdefghijklm');
  });

  test('Discord: embeds with mentions disabled and fields within limits', () => {
    const payload = discordPayload(message(fileHit())) as any;
    assert.deepEqual(payload.allowed_mentions, { parse: [] });
    const embed = payload.embeds[0];
    assert.equal(embed.url, 'https://canary.example.com/ui/tokens/tokenid234567abcdefghijklm');
    assert.ok(embed.fields.length <= 25);
    assert.ok(embed.fields.every((f: { name: string; value: string }) => f.name.length <= 256 && f.value.length <= 1024 && f.value.length > 0));
    assert.ok(embed.fields.some((f: { value: string }) => f.value.includes('/usr/bin/cat')));
  });

  test('Google Chat: card text is HTML-escaped; the plain text has no angle brackets', () => {
    const payload = googleChatPayload(message(httpHit())) as any;
    const json = JSON.stringify(payload.cardsV2);
    assert.ok(json.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!json.includes('<script>') && !json.includes('<svg'));
    assert.ok(!/[<>]/.test(payload.text));
  });
});

describe('Alertmanager payload', () => {
  test('labels, annotations, startsAt and generatorURL', () => {
    const [entry] = alertmanagerPayload(message(httpHit()), { severity: 'critical' }) as any[];
    assert.deepEqual(entry.labels, {
      alertname: 'TriplineTokenTriggered',
      severity: 'critical',
      token_id: 'tokenid234567abcdefghijklm',
      token_kind: 'http',
      tripline_alert_id: '01alert',
    });
    assert.equal(entry.annotations.memo, 'web bug in payroll.xlsx');
    assert.match(entry.annotations.summary, /web bug in payroll\.xlsx/);
    assert.match(entry.annotations.description, /203\.0\.113\.9/);
    assert.equal(entry.startsAt, '2030-01-01T00:00:00.000Z');
    assert.equal(entry.generatorURL, 'https://canary.example.com/ui/tokens/tokenid234567abcdefghijklm');
  });
});

describe('email', () => {
  test('subject from the memo; every attacker value escaped in the HTML, kept as sent in the text', () => {
    const mail = renderEmail(message(httpHit()));
    assert.equal(mail.subject, '[Tripline] Canary token triggered: web bug in payroll.xlsx');
    assert.ok(!/<script|<img|<svg|<b>/.test(mail.html), mail.html);
    assert.ok(mail.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(mail.html.includes('&lt;img src=x onerror=alert(2)&gt;'));
    assert.ok(mail.html.includes('&quot;&gt;&lt;svg onload=alert(3)&gt;'));
    assert.ok(mail.text.includes(EVIL_UA));
  });

  test('process arguments of a file hit are escaped too', () => {
    const mail = renderEmail(message(fileHit()));
    assert.ok(mail.html.includes('/usr/bin/cat /etc/decoy/passwords.txt &lt;script&gt;x&lt;/script&gt;'));
    assert.ok(!mail.html.includes('<script>'));
    assert.ok(mail.text.includes('Process:') && mail.text.includes('PID / UID: 4242 / 0'));
  });

  test('a memo with a line break cannot add a header', () => {
    const mail = renderEmail(message(httpHit(), 'alert', { tokenMemo: 'x\r\nBcc: victim@example.com' }));
    assert.ok(!/[\r\n]/.test(mail.subject));
  });
});

describe('redaction and Retry-After', () => {
  test('list views show a webhook URL as scheme and host only', () => {
    assert.equal(redactUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET'), 'https://hooks.slack.com/…');
    assert.equal(redactUrl('https://user:pw@am.example.com'), 'https://user:***@am.example.com/…');
    assert.equal(redactUrl('http://am.example.com:9093/'), 'http://am.example.com:9093');
  });

  test('Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    assert.equal(parseRetryAfter('1.5'), 1500);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter(new Date(1_000).toUTCString(), 4_000), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});

describe('what the message says happened', () => {
  test('a tamper hit is headlined as what happened to the decoy', () => {
    const tamper: FileHitDetail = {
      type: 'file',
      summary: '',
      node: 'db-1',
      policy: 'decoy',
      hook: null,
      actions: ['post'],
      tamper: { time: '2030-01-01T00:00:00Z', path: '/root/.ssh/id_rsa', change: 'deleted', process: null },
    };
    const hit: Hit = { ...fileHit(), detail: tamper };
    assert.equal(headline(message(hit)), 'Decoy deleted: web bug in payroll.xlsx');
    const mode = { ...tamper, tamper: { ...tamper.tamper!, change: 'mode_changed' as const } };
    assert.equal(headline(message({ ...hit, detail: mode })), 'Decoy permissions changed: web bug in payroll.xlsx');
    assert.equal(headline(message(httpHit())), 'Canary token triggered: web bug in payroll.xlsx');
  });

  test("the hit's one-line account leads the facts and ends the summary", () => {
    const hit: Hit = { ...fileHit(), detail: { ...(fileHit().detail as FileHitDetail), summary: 'cat (pid 4242, uid 0) read /etc/decoy/passwords.txt' } };
    const facts = hitFacts(hit);
    assert.deepEqual(facts[2], { label: 'What', value: 'cat (pid 4242, uid 0) read /etc/decoy/passwords.txt' });
    assert.match(summary(message(hit)), /triggered by db-1 at .*: cat \(pid 4242, uid 0\) read \/etc\/decoy\/passwords\.txt\.$/);
    assert.equal(hitFacts(httpHit()).filter((f) => f.label === 'What').length, 0);
  });
});
