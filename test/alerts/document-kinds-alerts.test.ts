/**
 * Every channel carries what the document and web-lure kinds read from their hits: the
 * looked-up host of a log4shell lookup, the cloned page's location, the reader of a document.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { alertmanagerPayload } from '../../src/alerts/channels/alertmanager.js';
import { discordPayload } from '../../src/alerts/channels/discord.js';
import { googleChatPayload } from '../../src/alerts/channels/googlechat.js';
import { slackPayload } from '../../src/alerts/channels/slack.js';
import { teamsPayload } from '../../src/alerts/channels/teams.js';
import { webhookPayload } from '../../src/alerts/channels/webhook.js';
import { renderEmail } from '../../src/alerts/email-render.js';
import { buildMessage } from '../../src/alerts/message.js';
import type { Hit } from '../../src/core/model/hit.js';
import type { Alert } from '../../src/store/repositories/alerts.js';

const TOKEN = 'tokenid234567abcdefghijklm';

function messageFor(hit: Hit) {
  const alert: Alert = {
    id: '01alert',
    tokenId: TOKEN,
    tokenKind: hit.kind,
    tokenMemo: 'decoy',
    groupKey: 'k',
    source: hit.source,
    userAgent: hit.userAgent,
    firstHitId: hit.id,
    firstHitAt: hit.at,
    lastHitAt: hit.at,
    hitCount: 1,
    windowStart: hit.at,
    windowEnd: '2030-01-01T00:01:00.000Z',
    digestScheduled: false,
    closedAt: null,
    foldedKeys: 0,
    createdAt: hit.at,
  };
  return buildMessage({ purpose: 'alert', alert, hit, deliveryId: '01delivery', publicUrl: 'https://canary.example.com/' });
}

/** Each channel's rendering of the message, as text to search. */
function renderings(hit: Hit): Record<string, string> {
  const message = messageFor(hit);
  const mail = renderEmail(message);
  return {
    webhook: JSON.stringify(webhookPayload(message)),
    slack: JSON.stringify(slackPayload(message)),
    teams: JSON.stringify(teamsPayload(message)),
    discord: JSON.stringify(discordPayload(message)),
    googlechat: JSON.stringify(googleChatPayload(message)),
    alertmanager: JSON.stringify(alertmanagerPayload(message, { severity: 'warning' })),
    email: `${mail.text}\n${mail.html}`,
  };
}

const at = '2030-01-01T00:00:00.000Z';
const name = `xpayroll-db-01.l4j.${TOKEN}.canary.example.test`;
const cases: [string, Hit, string[]][] = [
  [
    'log4shell',
    {
      id: '01hit',
      tokenId: TOKEN,
      kind: 'log4shell',
      at,
      source: '198.51.100.4',
      userAgent: null,
      detail: { type: 'dns', qtype: 'A', qclass: 'IN', name, transport: 'udp', data: null, summary: `DNS A ${name} via udp` },
    },
    ['Host name', 'payroll-db-01'],
  ],
  [
    'cloned-site',
    {
      id: '01hit',
      tokenId: TOKEN,
      kind: 'cloned-site',
      at,
      source: '198.51.100.4',
      userAgent: 'Mozilla/5.0',
      detail: {
        type: 'http',
        method: 'GET',
        path: `/static/${TOKEN}/pixel.png`,
        query: 'l=https%3A%2F%2Flogin.examp1e.net%2F&r=https%3A%2F%2Fmail.example%2F',
        headers: {},
      },
    },
    ['Page location', 'https://login.examp1e.net/', 'Referrer', 'https://mail.example/'],
  ],
  [
    'word',
    {
      id: '01hit',
      tokenId: TOKEN,
      kind: 'word',
      at,
      source: '198.51.100.4',
      userAgent: 'LibreOffice',
      detail: { type: 'http', method: 'GET', path: `/img/${TOKEN}/logo.gif`, query: '', headers: {} },
    },
    ['Opened with', 'document opened with LibreOffice'],
  ],
];

describe('document and web-lure hits in every channel', () => {
  for (const [kind, hit, expected] of cases) {
    test(`${kind}: ${expected.join(', ')}`, () => {
      for (const [channel, text] of Object.entries(renderings(hit))) {
        for (const value of expected) assert.ok(text.includes(value), `${channel} carries "${value}"`);
      }
    });
  }
});
