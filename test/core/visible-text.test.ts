import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { alertmanagerPayload } from '../../src/alerts/channels/alertmanager.js';
import { discordPayload } from '../../src/alerts/channels/discord.js';
import { googleChatPayload } from '../../src/alerts/channels/googlechat.js';
import { slackPayload } from '../../src/alerts/channels/slack.js';
import { teamsPayload } from '../../src/alerts/channels/teams.js';
import { webhookPayload } from '../../src/alerts/channels/webhook.js';
import { renderEmail } from '../../src/alerts/email-render.js';
import { testMessage, type AlertMessage } from '../../src/alerts/message.js';
import { visibleText } from '../../src/core/visible-text.js';
import { REPO } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);

// "report\u202Egpj.exe" shows as "reportexe.jpg" wherever bidi overrides are honoured.
const DISGUISED = 'report\u202Egpj.exe';
const HIDDEN = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u200F',
  '\uFEFF',
  '\u2028',
  '\u2029',
  '\u061C',
  '\u2060',
];
const CONTROLS = ['\u0000', '\u0007', '\u001b', '\r', '\u007f', '\u0085', '\u009b'];
const ANY_HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

describe('visibleText', () => {
  test('writes bidi, zero-width, separator and control characters out as <U+XXXX>', () => {
    for (const character of [...HIDDEN, ...CONTROLS]) {
      const code = character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      assert.equal(visibleText(`a${character}b`), `a<U+${code}>b`);
    }
    assert.equal(visibleText(DISGUISED), 'report<U+202E>gpj.exe');
    assert.equal(visibleText('a\nb\tc'), 'a<U+000A>b<U+0009>c');
    assert.equal(visibleText('a\nb\tc\u202E', true), 'a\nb\tc<U+202E>');
    assert.equal(visibleText('café ☕ 日本 עברית'), 'café ☕ 日本 עברית', 'ordinary text, right-to-left scripts included, is left alone');
  });
});

function disguisedMessage(): AlertMessage {
  const message = testMessage('https://canary.example.com/', 'bidi');
  message.firstHit.source = `203.0.113.7\u001b[2J\u202E`;
  message.firstHit.userAgent = DISGUISED;
  message.firstHit.detail = {
    type: 'http',
    method: 'GET',
    path: `/x/${DISGUISED}`,
    query: 'q=\u200Bhidden',
    headers: { 'user-agent': DISGUISED, 'x-note': 'a\u2028b\uFEFF' },
  };
  return message;
}

describe('chat messages, email and Alertmanager', () => {
  const rendered: [string, unknown][] = [
    ['Slack', slackPayload(disguisedMessage())],
    ['Teams', teamsPayload(disguisedMessage())],
    ['Discord', discordPayload(disguisedMessage())],
    ['Google Chat', googleChatPayload(disguisedMessage())],
    ['Alertmanager', alertmanagerPayload(disguisedMessage(), { severity: 'critical' })],
    ['email', renderEmail(disguisedMessage())],
  ];
  for (const [target, payload] of rendered) {
    test(`${target} shows the hidden characters written out and carries none of them`, () => {
      const text = JSON.stringify(payload);
      const parsed = JSON.parse(text) as unknown;
      const strings: string[] = [];
      const collect = (value: unknown): void => {
        if (typeof value === 'string') strings.push(value);
        else if (value && typeof value === 'object') Object.values(value).forEach(collect);
      };
      collect(parsed);
      for (const value of strings) assert.doesNotMatch(value.replace(/\n|\t/g, ''), ANY_HIDDEN, `${target}: ${JSON.stringify(value)}`);
      assert.ok(text.includes('U+202E'), `${target} shows the override: ${text.slice(0, 400)}`);
    });
  }

  test('the Alertmanager source annotation escapes control characters', () => {
    const [alert] = alertmanagerPayload(disguisedMessage(), { severity: 'critical' }) as { annotations: Record<string, string> }[];
    assert.equal(alert!.annotations.source, '203.0.113.7<U+001B>[2J<U+202E>');
  });

  test('the generic webhook keeps the evidence as sent: it is JSON for machines, not text for people', () => {
    assert.equal(webhookPayload(disguisedMessage()).firstHit.userAgent, DISGUISED);
  });
});

describe('command line', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('token hits shows a disguised user agent written out and never prints the raw characters', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'bidi' });
    const userAgent = Buffer.from(`${DISGUISED} \u200Bx`, 'utf8').toString('latin1'); // raw UTF-8 bytes on the wire
    assert.equal((await fetch(token.url, { headers: { 'user-agent': userAgent } })).status, 200);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'token', 'hits', token.id], {
      cwd: REPO,
      env: { ...process.env, TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key },
    });
    assert.ok(stdout.includes('report<U+202E>gpj.exe <U+200B>x'), stdout);
    assert.doesNotMatch(stdout.replace(/\n/g, ''), ANY_HIDDEN);
  });
});
