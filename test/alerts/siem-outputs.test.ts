/**
 * The SIEM, paging and chat outputs against loopback receivers that answer as each service's
 * documentation says it answers. No real Splunk, Elasticsearch, PagerDuty, Mattermost, Telegram,
 * Teams or OpenTelemetry collector runs here: each test checks the documented wire format.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Received, Reply } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';
import { serverAndReceiver } from './support/fixture.js';

const ROOT = join(import.meta.dirname, '..', '..');
const UA = 'Mozilla/5.0 <b>x</b> @channel & [link](http://evil.example) =\\';
const BOT_TOKEN = '123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-rs';

interface OutputCase {
  kind: string;
  /** The service's documentation this case follows. */
  documented: string;
  channel(base: string): Record<string, unknown>;
  /** The path the request must arrive at. */
  path: string;
  ok: Reply;
  /** A transient answer the service documents (throttling, overload). */
  transient: Reply;
  /** A refusal of the request itself, with the reason where the service puts it. */
  refusal: Reply;
  reason: string;
  check(request: Received, context: { tokenId: string; memo: string; alertId: string }): void;
}

function attribute(record: { attributes: { key: string; value: Record<string, string> }[] }, key: string): string | undefined {
  const found = record.attributes.find((a) => a.key === key);
  return found ? (found.value.stringValue ?? found.value.intValue) : undefined;
}

const CASES: OutputCase[] = [
  {
    kind: 'splunk',
    documented: 'Splunk HEC /services/collector/event',
    channel: (base) => ({ url: base, token: 'b1e0c7f2-hec-token', index: 'security', sourcetype: 'tripline:alert' }),
    path: '/services/collector/event',
    ok: { status: 200, body: { text: 'Success', code: 0 } },
    transient: { status: 503, headers: { 'retry-after': '0' }, body: { text: 'Server is busy', code: 9 } },
    refusal: { status: 400, body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 } },
    reason: 'HTTP 400: Invalid data format',
    check(request, { tokenId, memo }) {
      assert.equal(request.headers.authorization, 'Splunk b1e0c7f2-hec-token');
      assert.match(String(request.headers['content-type']), /^application\/json/);
      const body = request.body;
      assert.equal(typeof body.time, 'number');
      assert.equal(Math.round(body.time * 1000), Date.parse(body.event.firstHit.at), 'time is the first hit in epoch seconds');
      assert.equal(typeof body.host, 'string');
      assert.equal(body.source, 'tripline');
      assert.equal(body.sourcetype, 'tripline:alert');
      assert.equal(body.index, 'security');
      assert.equal(body.event.token.id, tokenId);
      assert.equal(body.event.token.memo, memo);
      assert.equal(body.event.firstHit.source, '127.0.0.1');
      assert.equal(body.event.firstHit.userAgent, UA);
    },
  },
  {
    kind: 'elasticsearch',
    documented: 'Elasticsearch _bulk with ECS fields',
    channel: (base) => ({ url: base, index: 'logs-tripline-test', apiKey: 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==' }),
    path: '/logs-tripline-test/_bulk',
    ok: { status: 200, body: { took: 3, errors: false, items: [{ create: { _index: '.ds-logs-tripline-test', _id: 'x', status: 201, result: 'created' } }] } },
    transient: {
      status: 200,
      body: { took: 1, errors: true, items: [{ create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } } }] },
    },
    refusal: {
      status: 400,
      body: {
        error: { root_cause: [], type: 'illegal_argument_exception', reason: 'only write ops with an op_type of create are allowed in data streams' },
        status: 400,
      },
    },
    reason: 'HTTP 400: only write ops with an op_type of create are allowed in data streams',
    check(request, { tokenId, memo, alertId }) {
      assert.equal(request.headers.authorization, 'ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==');
      assert.equal(request.headers['content-type'], 'application/x-ndjson');
      assert.ok(request.text.endsWith('\n'), 'the bulk body ends with a newline');
      const lines = request.text.trimEnd().split('\n');
      assert.equal(lines.length, 2);
      const action = JSON.parse(lines[0]!);
      assert.deepEqual(Object.keys(action), ['create']);
      assert.match(action.create._id, /^[0-9a-z]{26}$/);
      const doc = JSON.parse(lines[1]!);
      assert.ok(!Number.isNaN(Date.parse(doc['@timestamp'])));
      assert.equal(doc.event.kind, 'alert');
      assert.ok(doc.event.category.includes('intrusion_detection'));
      assert.deepEqual(doc.event.type, ['indicator']);
      assert.equal(doc.event.action, 'token-triggered');
      assert.equal(doc.event.id, alertId);
      assert.equal(typeof doc.event.severity, 'number');
      assert.equal(doc.source.ip, '127.0.0.1');
      assert.equal(doc.user_agent.original, UA);
      assert.equal(doc.http.request.method, 'GET');
      assert.equal(typeof doc.url.path, 'string');
      assert.equal(doc.tripline.token.id, tokenId);
      assert.equal(doc.tripline.token.memo, memo);
      assert.equal(typeof doc.message, 'string');
    },
  },
  {
    kind: 'pagerduty',
    documented: 'PagerDuty Events API v2 enqueue',
    channel: (base) => ({ url: `${base}/v2/enqueue`, routingKey: 'R0UT1NGK3Y0123456789ABCDEFGHIJKL', severity: 'critical' }),
    path: '/v2/enqueue',
    ok: { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'x' } },
    transient: { status: 429, body: '' },
    refusal: {
      status: 400,
      body: { status: 'invalid event', message: 'Event object is invalid', errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"] },
    },
    reason: "HTTP 400: Length of 'routing_key' is incorrect (should be 32 characters)",
    check(request, { tokenId, alertId }) {
      const body = request.body;
      assert.equal(body.routing_key, 'R0UT1NGK3Y0123456789ABCDEFGHIJKL');
      assert.equal(body.event_action, 'trigger');
      assert.equal(body.dedup_key, alertId);
      assert.equal(typeof body.payload.summary, 'string');
      assert.ok(body.payload.summary.length >= 1 && body.payload.summary.length <= 1024);
      assert.ok(body.payload.summary.includes('127.0.0.1'));
      assert.equal(typeof body.payload.source, 'string');
      assert.ok(['critical', 'error', 'warning', 'info'].includes(body.payload.severity));
      assert.equal(body.payload.severity, 'critical');
      assert.ok(!Number.isNaN(Date.parse(body.payload.timestamp)));
      assert.equal(body.payload.custom_details.firstHit.userAgent, UA);
      assert.equal(body.payload.group, tokenId);
      assert.ok(body.links[0].href.endsWith(`/ui/tokens/${tokenId}`));
    },
  },
  {
    kind: 'mattermost',
    documented: 'Mattermost incoming webhook',
    channel: (base) => ({ url: `${base}/hooks/xxx-generatedkey-xxx` }),
    path: '/hooks/xxx-generatedkey-xxx',
    ok: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' },
    transient: { status: 500, body: { id: 'api.context.server_error', message: 'internal error', status_code: 500 } },
    refusal: { status: 400, body: { id: 'web.incoming_webhook.text.app_error', message: 'No text specified', detailed_error: '', status_code: 400 } },
    reason: 'HTTP 400: No text specified',
    check(request, { memo }) {
      const body = request.body;
      assert.equal(typeof body.text, 'string');
      assert.ok(body.text.includes(memo.replace(/[<>]/g, (c) => `\\${c}`)), `the memo, Markdown-escaped: ${body.text}`);
      assert.equal(body.blocks, undefined, 'no Block Kit: Mattermost does not render it');
      const attachment = body.attachments[0];
      assert.equal(typeof attachment.fallback, 'string');
      const all = JSON.stringify(body);
      assert.ok(!all.includes('@channel'), 'no live @channel mention');
      assert.ok(all.includes('@\\u200bchannel') || all.includes('@\u200bchannel'));
      assert.ok(!all.includes('[link](http'), 'attacker text cannot make a link');
      assert.ok(attachment.fields.some((f: { value: string }) => f.value.includes('127.0.0.1')));
      assert.ok(attachment.fields.every((f: { title: string; value: string; short: boolean }) => typeof f.title === 'string' && typeof f.short === 'boolean'));
    },
  },
  {
    kind: 'telegram',
    documented: 'Telegram Bot API sendMessage',
    channel: (base) => ({ url: base, botToken: BOT_TOKEN, chatId: '-1001234567890' }),
    path: `/bot${BOT_TOKEN}/sendMessage`,
    ok: { status: 200, body: { ok: true, result: { message_id: 7, chat: { id: -1001234567890 }, date: 0, text: '' } } },
    transient: { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 0', parameters: { retry_after: 0 } } },
    refusal: { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } },
    reason: 'HTTP 400: Bad Request: chat not found',
    check(request, { memo }) {
      const body = request.body;
      assert.equal(body.chat_id, '-1001234567890');
      assert.equal(body.parse_mode, 'HTML');
      assert.equal(typeof body.text, 'string');
      assert.ok(body.text.length >= 1 && body.text.length <= 4096);
      assert.ok(body.text.includes(memo.replace(/</g, '&lt;').replace(/>/g, '&gt;')), `the memo, HTML-escaped: ${body.text}`);
      assert.ok(body.text.includes('&lt;b&gt;x&lt;/b&gt;'), 'attacker HTML escaped');
      assert.ok(!body.text.includes('<b>x</b>'));
      assert.deepEqual(body.link_preview_options, { is_disabled: true });
    },
  },
  {
    kind: 'teams-workflow',
    documented: 'Teams Workflows (Power Automate) webhook with an Adaptive Card',
    channel: (base) => ({ url: `${base}/workflows/4f2a/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t` }),
    path: '/workflows/4f2a/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t',
    ok: { status: 202, body: '' },
    transient: { status: 502, body: '' },
    refusal: {
      status: 400,
      body: { error: { code: 'InvalidRequestContent', message: "The input body for trigger 'manual' of type 'Request' must be of type JSON." } },
    },
    reason: "HTTP 400: The input body for trigger 'manual' of type 'Request' must be of type JSON.",
    check(request) {
      const body = request.body;
      assert.equal(body.type, 'message');
      assert.equal(body.attachments.length, 1);
      assert.equal(body.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
      const card = body.attachments[0].content;
      assert.equal(card.type, 'AdaptiveCard');
      assert.equal(card.version, '1.4');
      assert.ok(Array.isArray(card.body) && card.body.every((b: { type: string }) => typeof b.type === 'string'));
      assert.ok(JSON.stringify(card).includes('127.0.0.1'));
    },
  },
  {
    kind: 'otlp',
    documented: 'OTLP/HTTP JSON logs',
    channel: (base) => ({ url: base, token: 'otlp-ingest-token' }),
    path: '/v1/logs',
    ok: { status: 200, body: {} },
    transient: { status: 503, headers: { 'retry-after': '0' }, body: { code: 14, message: 'unavailable' } },
    refusal: { status: 400, body: { code: 3, message: 'logRecords[0].timeUnixNano: invalid value' } },
    reason: 'HTTP 400: logRecords[0].timeUnixNano: invalid value',
    check(request, { tokenId, memo }) {
      assert.equal(request.headers.authorization, 'Bearer otlp-ingest-token');
      assert.match(String(request.headers['content-type']), /^application\/json/);
      const resourceLogs = request.body.resourceLogs;
      assert.equal(resourceLogs.length, 1);
      assert.equal(attribute(resourceLogs[0].resource, 'service.name'), 'tripline');
      const scope = resourceLogs[0].scopeLogs[0];
      assert.equal(scope.scope.name, 'tripline.alerts');
      const record = scope.logRecords[0];
      assert.match(record.timeUnixNano, /^\d{19}$/, '64-bit integers as decimal strings');
      assert.match(record.observedTimeUnixNano, /^\d{19}$/);
      assert.equal(record.severityNumber, 21);
      assert.equal(record.severityText, 'FATAL');
      assert.equal(typeof record.body.stringValue, 'string');
      assert.equal(attribute(record, 'source.address'), '127.0.0.1');
      assert.equal(attribute(record, 'user_agent.original'), UA);
      assert.equal(attribute(record, 'http.request.method'), 'GET');
      assert.equal(attribute(record, 'tripline.token.id'), tokenId);
      assert.equal(attribute(record, 'tripline.token.memo'), memo);
      assert.equal(attribute(record, 'tripline.hit.count'), '1');
    },
  },
];

describe('SIEM, paging and chat outputs (documented wire formats, loopback receivers)', () => {
  const fixture = serverAndReceiver({ alerts: { backoffBaseMs: 50, backoffMaxMs: 100, pollMs: 50 } });
  // Each test answers its own path; anything else is a test bug.
  const answers = new Map<string, (request: Received) => Reply>();
  let configured = false;

  function route(): void {
    if (configured) return;
    configured = true;
    fixture.receiver.behaviour = (request) => answers.get(request.path)?.(request) ?? { status: 418 };
  }

  async function hitThrough(c: OutputCase, memo: string): Promise<{ channel: string; tokenId: string; alertId: string }> {
    route();
    const base = `http://127.0.0.1:${fixture.receiver.port}`;
    const created = await fixture.server.api('POST', '/channels', { kind: c.kind, name: `${c.kind} ${memo}`, ...c.channel(base) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = (await fixture.server.api('POST', '/tokens', { kind: 'http', memo, channels: [created.body.id] })).body;
    assert.equal((await fetch(token.url, { headers: { 'user-agent': UA } })).status, 200);
    const alert = await waitFor('the alert', async () => (await fixture.server.api('GET', `/alerts?tokenId=${token.id}`)).body.items[0]);
    return { channel: created.body.id, tokenId: token.id, alertId: alert.id };
  }

  async function settled(channel: string, state: 'delivered' | 'dead'): Promise<any> {
    return waitFor(`a ${state} delivery`, async () => {
      const items = (await fixture.server.api('GET', '/deliveries?limit=500')).body.items as { channelId: string; state: string }[];
      return items.find((d) => d.channelId === channel && d.state === state);
    });
  }

  for (const c of CASES) {
    test(`${c.kind}: the payload matches the documented format (${c.documented}): fields, types, auth`, async () => {
      answers.set(c.path, () => c.ok);
      const memo = `${c.kind} format <i>memo</i>`;
      const { channel, tokenId, alertId } = await hitThrough(c, memo);
      const delivery = await settled(channel, 'delivered');
      assert.equal(delivery.attempts, 1);
      const request = fixture.receiver.received.filter((r) => r.path === c.path).at(-1)!;
      assert.equal(request.method, 'POST');
      c.check(request, { tokenId, memo, alertId });
    });

    test(`${c.kind}: a documented transient answer is retried until delivered`, async () => {
      let calls = 0;
      answers.set(c.path, () => (++calls === 1 ? c.transient : c.ok));
      const { channel } = await hitThrough(c, `${c.kind} retried`);
      const delivery = await settled(channel, 'delivered');
      assert.equal(delivery.attempts, 2);
      assert.equal(calls, 2);
    });

    test(`${c.kind}: a 400 goes dead at once with the receiver's documented reason, counted as dead`, async () => {
      answers.set(c.path, () => c.refusal);
      const { channel } = await hitThrough(c, `${c.kind} refused`);
      const delivery = await settled(channel, 'dead');
      assert.equal(delivery.attempts, 1, 'no retry of a request the service refused');
      assert.equal(delivery.lastStatus, 400);
      assert.equal(delivery.lastError, c.reason);
      const counted = `tripline_alert_deliveries_total{channel_kind="${c.kind}",outcome="dead"} 1`;
      await waitFor('the dead delivery to be counted', async () => (await (await fetch(`${fixture.server.adminUrl}/metrics`)).text()).includes(counted));
    });
  }

  test('pagerduty: a digest re-sends the same dedup_key, so it updates the incident its alert opened', async () => {
    const c = CASES.find((x) => x.kind === 'pagerduty')!;
    answers.set(c.path, () => c.ok);
    route();
    const base = `http://127.0.0.1:${fixture.receiver.port}`;
    const channel = (await fixture.server.api('POST', '/channels', { kind: 'pagerduty', ...c.channel(base) })).body.id;
    const token = (await fixture.server.api('POST', '/tokens', { kind: 'http', memo: 'paged twice', channels: [channel], alertWindowSeconds: 1 })).body;
    for (let i = 0; i < 3; i++) await fetch(token.url, { headers: { 'user-agent': 'same' } });
    const events = await waitFor('alert and digest events', () => {
      const sent = fixture.receiver.received.filter((r) => r.path === c.path && r.body.payload.group === token.id);
      return sent.length >= 2 && sent;
    });
    assert.equal(events[0]!.body.dedup_key, events[1]!.body.dedup_key);
    assert.ok(events[1]!.body.payload.summary.startsWith('2 more hits'), events[1]!.body.payload.summary);
  });

  test('elasticsearch: an item refused inside a 200 goes dead with its reason; a 409 (already indexed by an earlier attempt) counts as delivered', async () => {
    const c = CASES.find((x) => x.kind === 'elasticsearch')!;
    answers.set(c.path, () => ({
      status: 200,
      body: { errors: true, items: [{ create: { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [source.ip]' } } }] },
    }));
    const refused = await hitThrough(c, 'item refused');
    assert.equal((await settled(refused.channel, 'dead')).lastError, 'rejected: 400 failed to parse field [source.ip]');
    answers.set(c.path, () => ({
      status: 200,
      body: { errors: true, items: [{ create: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } } }] },
    }));
    const again = await hitThrough(c, 'already there');
    assert.equal((await settled(again.channel, 'delivered')).attempts, 1);
  });

  test('otlp: a partial success that rejects the record goes dead with the collector’s message', async () => {
    const c = CASES.find((x) => x.kind === 'otlp')!;
    answers.set(c.path, () => ({ status: 200, body: { partialSuccess: { rejectedLogRecords: '1', errorMessage: 'log record too large' } } }));
    const { channel } = await hitThrough(c, 'partial');
    assert.equal((await settled(channel, 'dead')).lastError, 'rejected: log record too large');
  });

  test('telegram: the bot token never shows in lists or errors; kinds refuse missing credentials with a 400 naming the field', async () => {
    const { server } = fixture;
    const list = JSON.stringify((await server.api('GET', '/channels')).body);
    assert.ok(!list.includes(BOT_TOKEN.split(':')[1]!), 'bot token not listed');
    assert.ok(!list.includes('b1e0c7f2-hec-token') && !list.includes('R0UT1NGK3Y') && !list.includes('otlp-ingest-token'), 'no credential listed');
    const dead = JSON.stringify((await server.api('GET', '/deliveries?state=dead&limit=500')).body);
    assert.ok(!dead.includes(BOT_TOKEN.split(':')[1]!));
    const missing: [Record<string, unknown>, string][] = [
      [{ kind: 'splunk', url: 'http://127.0.0.1:1' }, 'token'],
      [{ kind: 'pagerduty' }, 'routingKey'],
      [{ kind: 'pagerduty', routingKey: 'abc', severity: 'page' }, 'severity'],
      [{ kind: 'telegram', chatId: '1' }, 'botToken'],
      [{ kind: 'telegram', botToken: BOT_TOKEN }, 'chatId'],
      [{ kind: 'elasticsearch', url: 'http://127.0.0.1:1', index: 'Bad Index' }, 'index'],
      [{ kind: 'splunk', url: 'http://127.0.0.1:1', token: 'has space' }, 'token'],
      [{ kind: 'syslog', url: 'http://127.0.0.1:514' }, 'url'],
      [{ kind: 'syslog', url: 'udp://127.0.0.1:514', format: 'xml' }, 'format'],
      [{ kind: 'syslog', url: 'udp://127.0.0.1:514', ca: '-----BEGIN CERTIFICATE-----' }, 'ca'],
      [{ kind: 'syslog', url: 'tcp://user:pw@127.0.0.1:514' }, 'url'],
    ];
    for (const [body, field] of missing) {
      const answer = await server.api('POST', '/channels', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.field ?? answer.body.details?.field, field, JSON.stringify(answer.body));
    }
    // The public APIs are the defaults for the kinds that have one.
    const paged = await server.api('POST', '/channels', { kind: 'pagerduty', routingKey: 'R0UT1NGK3Y0123456789ABCDEFGHIJKL' });
    assert.equal(paged.body.settings.url, 'https://events.pagerduty.com/…');
    const bot = await server.api('POST', '/channels', { kind: 'telegram', botToken: BOT_TOKEN, chatId: '@tripline_alerts' });
    assert.equal(bot.body.settings.url, 'https://api.telegram.org');
  });

  test('command line: channel add takes the credential flags (--token, --api-key, --routing-key, --bot-token/--chat-id), and channel test reaches the receiver', async () => {
    const { server, receiver } = fixture;
    const base = `http://127.0.0.1:${receiver.port}`;
    const cli = async (...args: string[]) =>
      (
        await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
          cwd: ROOT,
          env: { ...process.env, TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key },
        })
      ).stdout;
    const adds: [string[], Record<string, unknown>][] = [
      [
        ['--kind', 'splunk', '--url', base, '--token', 'cli-hec-token', '--index', 'main', '--sourcetype', 'tripline:cli'],
        { index: 'main', sourcetype: 'tripline:cli' },
      ],
      [['--kind', 'elasticsearch', '--url', base, '--api-key', 'Y2xpOmtleQ==', '--index', 'logs-tripline-cli'], { index: 'logs-tripline-cli' }],
      [
        ['--kind', 'pagerduty', '--url', `${base}/v2/enqueue`, '--routing-key', 'R0UT1NGK3Y0123456789ABCDEFGHIJKL', '--severity', 'error'],
        { severity: 'error' },
      ],
      [['--kind', 'telegram', '--url', base, '--bot-token', BOT_TOKEN, '--chat-id', '@tripline_cli'], { chatId: '@tripline_cli' }],
    ];
    const ids: string[] = [];
    for (const [args, settings] of adds) {
      const added = JSON.parse(await cli('channel', 'add', ...args, '--json'));
      assert.equal(added.kind, args[1]);
      for (const [key, value] of Object.entries(settings)) assert.equal(added.settings[key], value, `${args[1]} ${key}`);
      assert.ok(!JSON.stringify(added).includes('cli-hec-token'));
      ids.push(added.id);
    }
    // The test alert goes through the kind's send, as deliveries do: the flags reached the wire.
    answers.set(`/bot${BOT_TOKEN}/sendMessage`, () => ({ status: 200, body: { ok: true, result: {} } }));
    assert.match(await cli('channel', 'test', ids[3]!), /^delivered \(200/);
    assert.equal(receiver.received.filter((r) => r.path === `/bot${BOT_TOKEN}/sendMessage`).at(-1)!.body.chat_id, '@tripline_cli');
  });
});
