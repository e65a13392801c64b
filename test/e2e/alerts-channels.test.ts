import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifySignature } from '../../src/alerts/signature.js';
import { startAlertmanager, type TestAlertmanager } from '../alerts/support/alertmanager.js';
import { serverAndReceiver } from '../alerts/support/fixture.js';
import { startSmtp } from '../alerts/support/smtp.js';
import { waitFor } from '../support/wait.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'receiver-shared-secret-0123456789';

async function createToken(server: TestServer, memo: string, channels: string[]): Promise<{ id: string; url: string }> {
  const created = await server.api('POST', '/tokens', { kind: 'http', memo, channels });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

async function addChannel(server: TestServer, body: Record<string, unknown>): Promise<string> {
  const created = await server.api('POST', '/channels', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

describe('web-bug hit to chat and webhook receivers', () => {
  const fixture = serverAndReceiver();

  test('reaches a Slack-format receiver within one second with source, user agent and memo; the webhook signature verifies', async () => {
    const { server, receiver } = fixture;
    const channels = [
      await addChannel(server, { kind: 'slack', url: receiver.url('/slack/T000/B000/secretpart') }),
      await addChannel(server, { kind: 'webhook', url: receiver.url('/generic'), secret: SECRET }),
      await addChannel(server, { kind: 'teams', url: receiver.url('/teams') }),
      await addChannel(server, { kind: 'discord', url: receiver.url('/discord') }),
      await addChannel(server, { kind: 'googlechat', url: receiver.url('/chat') }),
    ];
    const memo = 'web bug in the finance share';
    const token = await createToken(server, memo, channels);
    const userAgent = 'Mozilla/5.0 (X11; evil) <b>curl</b> & co';

    const started = Date.now();
    const answer = await fetch(token.url, { headers: { 'user-agent': userAgent } });
    assert.equal(answer.status, 200);
    const slack = await waitFor('the Slack message', () => receiver.received.find((r) => r.path.startsWith('/slack/')), 5000, 2);
    const latency = slack.at - started;
    assert.ok(latency < 1000, `the Slack message took ${latency} ms`);

    const slackText = JSON.stringify(slack.body);
    assert.ok(slack.body.text.includes(memo));
    assert.ok(slackText.includes('127.0.0.1'), 'source IP in the Slack message');
    // Slack mrkdwn: the user agent arrives with &, < and > escaped, never as live markup.
    assert.ok(slackText.includes('Mozilla/5.0 (X11; evil) &lt;b&gt;curl&lt;/b&gt; &amp; co'), slackText);
    assert.ok(!slackText.includes('<b>curl'));
    assert.ok(Array.isArray(slack.body.blocks) && slack.body.blocks.length >= 3);

    const generic = await waitFor('the generic webhook', () => receiver.received.find((r) => r.path === '/generic'), 5000);
    assert.ok(verifySignature(SECRET, generic.raw, String(generic.headers['x-tripline-signature'])), 'signature verifies over the raw body');
    assert.ok(!verifySignature(SECRET, Buffer.concat([generic.raw, Buffer.from(' ')]), String(generic.headers['x-tripline-signature'])));
    assert.ok(!verifySignature('another-secret-0123456789', generic.raw, String(generic.headers['x-tripline-signature'])));
    assert.match(String(generic.headers['x-tripline-timestamp']), /^\d{10}$/);
    assert.equal(generic.body.event, 'alert');
    assert.equal(generic.body.token.id, token.id);
    assert.equal(generic.body.token.memo, memo);
    assert.equal(generic.body.token.url.endsWith(`/ui/tokens/${token.id}`), true);
    assert.equal(generic.body.firstHit.source, '127.0.0.1');
    assert.equal(generic.body.firstHit.userAgent, userAgent);
    assert.equal(generic.body.firstHit.request.method, 'GET');
    assert.equal(generic.body.firstHit.request.headers['user-agent'], userAgent);
    assert.equal(generic.body.hitCount, 1);
    assert.ok(!Number.isNaN(Date.parse(generic.body.firstHit.at)) && generic.body.firstHit.at.endsWith('Z'));

    const teams = await waitFor('Teams', () => receiver.received.find((r) => r.path === '/teams'));
    assert.equal(teams.body.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(teams.body.attachments[0].content.type, 'AdaptiveCard');
    const discord = await waitFor('Discord', () => receiver.received.find((r) => r.path === '/discord'));
    assert.deepEqual(discord.body.allowed_mentions, { parse: [] });
    assert.ok(discord.body.embeds[0].fields.some((f: { value: string }) => f.value.includes('127.0.0.1')));
    const chat = await waitFor('Google Chat', () => receiver.received.find((r) => r.path === '/chat'));
    assert.ok(JSON.stringify(chat.body.cardsV2).includes('&lt;b&gt;curl&lt;/b&gt; &amp; co'));

    // Every delivery is recorded as delivered, once, with its attempt count.
    const alerts = await server.api('GET', `/alerts?tokenId=${token.id}`);
    assert.equal(alerts.body.items.length, 1);
    const deliveries = alerts.body.items[0].deliveries;
    assert.equal(deliveries.length, 5);
    await waitFor('every delivery to settle', async () => {
      const shown = await server.api('GET', `/alerts/${alerts.body.items[0].id}`);
      return shown.body.deliveries.every((d: { state: string }) => d.state === 'delivered');
    });
    assert.equal(receiver.received.length, 5);
  });
});

describe('email', () => {
  test('arrives at a real SMTP server with subject and recipients, the <script> user agent escaped in the HTML', async () => {
    const smtp = await startSmtp({ user: 'alerts', password: 'smtp-password' });
    const server = await startTestServer({
      alerts: { smtp: { host: '127.0.0.1', port: smtp.port, tls: 'none', user: 'alerts', password: 'smtp-password', from: 'canary@tripline.test' } },
    });
    try {
      const channel = await addChannel(server, { kind: 'email', to: ['soc@example.com', 'oncall@example.com'], default: true });
      assert.ok(channel);
      const memo = 'AWS keys on the build server';
      const token = await createToken(server, memo, []);
      const userAgent = '<script>alert("pwned")</script>';
      await fetch(`${token.url}?a=<img src=x onerror=alert(1)>`, { headers: { 'user-agent': userAgent } });

      const mail = await waitFor('the email', () => smtp.mails[0], 10_000);
      assert.equal(mail.from, 'canary@tripline.test');
      assert.deepEqual([...mail.to].sort(), ['oncall@example.com', 'soc@example.com']);
      assert.equal(mail.subject, `[Tripline] Canary token triggered: ${memo}`);
      assert.ok(mail.html.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'), mail.html);
      assert.ok(!mail.html.includes('<script'), 'no live script tag in the HTML');
      assert.ok(!mail.html.includes('<img'), 'no live tag from the query string in the HTML');
      assert.ok(mail.html.includes(`/ui/tokens/${token.id}`));
      assert.ok(mail.text.includes(userAgent), 'the plain-text part shows the user agent as sent');
      assert.ok(mail.text.includes('127.0.0.1'));
    } finally {
      await server.close();
      await smtp.stop();
    }
  });
});

describe('Alertmanager', () => {
  let alertmanager: TestAlertmanager;
  before(async () => {
    alertmanager = await startAlertmanager();
  });
  after(async () => {
    await alertmanager?.stop();
  });

  test('a real Alertmanager lists the alert through its own GET /api/v2/alerts', async () => {
    const server = await startTestServer({ alerts: { allowPrivateTargets: true } });
    try {
      const channel = await addChannel(server, { kind: 'alertmanager', url: alertmanager.url, severity: 'page' });
      const token = await createToken(server, 'kubeconfig on the jump host', [channel]);
      await fetch(token.url, { headers: { 'user-agent': 'kubectl/v1.29' } });

      const listed = await waitFor(
        'the alert in Alertmanager',
        async () => {
          const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as any[];
          return alerts.find((a) => a.labels.token_id === token.id);
        },
        15_000,
        100,
      );
      assert.equal(listed.labels.alertname, 'TriplineTokenTriggered');
      assert.equal(listed.labels.token_kind, 'http');
      assert.equal(listed.labels.severity, 'page');
      assert.equal(listed.annotations.memo, 'kubeconfig on the jump host');
      assert.match(listed.annotations.summary, /kubeconfig on the jump host/);
      assert.match(listed.annotations.description, /kubectl\/v1\.29/);
      assert.equal(listed.generatorURL, `${server.adminUrl}/ui/tokens/${token.id}`);
      assert.equal(listed.status.state, 'active');
      const hits = await server.api('GET', `/tokens/${token.id}/hits`);
      assert.equal(Date.parse(listed.startsAt), Date.parse(hits.body.items[0].at));
    } finally {
      await server.close();
    }
  });
});
