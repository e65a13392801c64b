import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeQuery, udpExchange, ZONE } from '../dns/support.js';
import { storeDialects } from '../support/dialects.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { runCli } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

const SLACK_UA = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

/** One HTTP hit on the token, as if from `source` (the server trusts loopback as its proxy). */
async function hitFrom(url: string, source: string, userAgent: string): Promise<void> {
  const response = await fetch(url, { headers: { 'x-forwarded-for': source, 'user-agent': userAgent } });
  assert.equal(response.status, 200);
  await response.arrayBuffer();
}

async function allHits(server: TestServer, query = ''): Promise<any[]> {
  const answer = await server.api('GET', `/hits?limit=500${query}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.items;
}

for (const dialect of storeDialects()) {
  describe(`noise rules on ${dialect.name}`, () => {
    let server: TestServer;
    let receiver: HttpReceiver;
    let lowReceiver: HttpReceiver;

    before(async () => {
      receiver = await new HttpReceiver().start();
      lowReceiver = await new HttpReceiver().start();
      server = await startTestServer({
        db: await dialect.newLocation(),
        trustProxy: ['127.0.0.1'],
        dns: { zone: ZONE, port: 0, addresses: ['127.0.0.1'] },
        alerts: { allowPrivateTargets: true, pollMs: 50 },
      });
    });
    after(async () => {
      await server.close();
      await receiver.stop();
      await lowReceiver.stop();
    });

    test('a listed scanner, an ignored CIDR and an ignored resolver are stored, counted and muted, raise no alert, and explain names the rule', async () => {
      const channel = (await server.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/noise') })).body.id;
      const web = (await server.api('POST', '/tokens', { kind: 'http', memo: 'noise web', channels: [channel] })).body;
      const dns = (await server.api('POST', '/tokens', { kind: 'dns', memo: 'noise dns', channels: [channel] })).body;
      const scanners = await server.api('POST', '/noise-rules', { kind: 'known-scanners', note: 'chat unfurls' });
      const cidr = await server.api('POST', '/noise-rules', { kind: 'cidr', pattern: '198.51.100.0/24', note: 'our scanner' });
      const resolver = await server.api('POST', '/noise-rules', { kind: 'resolver', pattern: '127.0.0.2', note: 'the office resolver' });
      for (const answer of [scanners, cidr, resolver]) assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const bad = await server.api('POST', '/noise-rules', { kind: 'cidr', pattern: '198.51.100.0/33' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /not an IP address or CIDR range/);

      // Muted first, then the controls: when the controls' alerts have arrived, the muted hits'
      // decisions (earlier, in order) are long made.
      await hitFrom(web.url, '203.0.113.20', SLACK_UA);
      await hitFrom(web.url, '198.51.100.7', 'curl/8.5.0');
      assert.ok(await udpExchange(server.server.dns!.port, encodeQuery(dns.hostname), 2000, '127.0.0.2'), 'the resolver got an answer');
      await hitFrom(web.url, '203.0.113.9', 'curl/8.5.0');
      assert.ok(await udpExchange(server.server.dns!.port, encodeQuery(dns.hostname), 2000, '127.0.0.1'));

      await waitFor('the two unmuted hits alerted', () => receiver.to('/noise').length >= 2);
      const muted = await allHits(server, '&muted=true');
      assert.equal(muted.length, 3);
      const bySource = new Map(muted.map((hit) => [`${hit.kind}:${hit.source}`, hit]));
      const scannerHit = bySource.get('http:203.0.113.20');
      const cidrHit = bySource.get('http:198.51.100.7');
      const resolverHit = bySource.get('dns:127.0.0.2');
      assert.ok(scannerHit && cidrHit && resolverHit, JSON.stringify([...bySource.keys()]));
      assert.deepEqual(scannerHit.mutedBy, {
        ruleId: scanners.body.id,
        kind: 'known-scanners',
        pattern: '',
        scope: 'global',
        note: 'chat unfurls',
        matched: 'Slack',
      });
      assert.equal(cidrHit.mutedBy.ruleId, cidr.body.id);
      assert.equal(resolverHit.mutedBy.ruleId, resolver.body.id);

      const unmuted = await allHits(server, '&muted=false');
      assert.deepEqual(unmuted.map((hit) => hit.source).sort(), ['127.0.0.1', '203.0.113.9']);
      // Counted: every hit is in its token's count and in the hourly rollup.
      assert.equal((await server.api('GET', `/tokens/${web.id}`)).body.hitCount, 3);
      assert.equal((await server.api('GET', `/tokens/${dns.id}`)).body.hitCount, 2);
      const daily = (await server.api('GET', '/hits/daily?days=1')).body.series;
      assert.equal(
        daily.reduce((sum: number, day: { count: number }) => sum + day.count, 0),
        5,
      );

      // No alert: two alerts in all, opened by the unmuted hits, and two deliveries.
      const alerts = (await server.api('GET', '/alerts')).body.items;
      assert.deepEqual(alerts.map((a: any) => a.firstHitId).sort(), unmuted.map((hit) => hit.id).sort());
      assert.equal(receiver.to('/noise').length, 2);
      for (const received of receiver.to('/noise')) assert.doesNotMatch(received.text, /198\.51\.100\.7|203\.0\.113\.20|Slackbot/);

      for (const [hit, rule] of [
        [scannerHit, scanners.body],
        [cidrHit, cidr.body],
        [resolverHit, resolver.body],
      ]) {
        const explained = (await server.api('GET', `/hits/${hit.id}/explain`)).body;
        assert.equal(explained.alerted, false);
        assert.equal(explained.alert, null);
        assert.equal(explained.mutedBy.ruleId, rule.id);
        assert.match(explained.reasons[0], new RegExp(`muted by the global ${rule.kind}.*rule ${rule.id}`));
      }
      const cli = await runCli(['hit', 'explain', cidrHit.id, '--server', server.adminUrl, '--key', server.key]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, new RegExp(`muted by the global cidr rule 198\\.51\\.100\\.0/24, rule ${cidr.body.id}: our scanner`));
      const alerted = await runCli(['hit', 'explain', unmuted.find((hit) => hit.kind === 'http').id, '--server', server.adminUrl, '--key', server.key]);
      assert.match(alerted.stdout, /alerted\s+yes/);
      assert.match(alerted.stdout, /opened alert/);

      // A token's own rule mutes that token only.
      const own = await server.api('POST', '/noise-rules', { kind: 'user-agent', pattern: 'python-requests/*', tokenId: web.id });
      assert.equal(own.status, 201);
      await hitFrom(web.url, '203.0.113.30', 'python-requests/2.32');
      const ownHit = await waitFor('the hit under the token rule', async () => (await allHits(server, '&source=203.0.113.30'))[0]);
      assert.equal(ownHit.mutedBy.scope, 'token');
      assert.equal(ownHit.mutedBy.ruleId, own.body.id);
    });

    test("a channel's minimum severity keeps a low-severity token's alert off that channel only", async () => {
      const everything = (await server.api('POST', '/channels', { kind: 'webhook', url: receiver.url('/all') })).body.id;
      const paging = (await server.api('POST', '/channels', { kind: 'webhook', url: lowReceiver.url('/pager') })).body.id;
      const set = await server.api('PUT', `/channels/${paging}/filters`, { minSeverity: 'high' });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.filters, { minSeverity: 'high' });
      assert.equal((await server.api('PUT', `/channels/${paging}/filters`, { minSeverity: 'urgent' })).status, 400);

      const low = (await server.api('POST', '/tokens', { kind: 'http', memo: 'low one', severity: 'low', tags: ['lab'], channels: [everything, paging] })).body;
      const critical = (await server.api('POST', '/tokens', { kind: 'http', memo: 'critical one', severity: 'critical', channels: [everything, paging] })).body;
      assert.equal(low.severity, 'low');
      assert.deepEqual(low.tags, ['lab']);
      await hitFrom(low.url, '203.0.113.41', 'curl/8.5.0');
      await hitFrom(critical.url, '203.0.113.42', 'curl/8.5.0');

      await waitFor('both alerts on the unfiltered channel', () => receiver.to('/all').length >= 2);
      await waitFor('the critical alert on the paging channel', () => lowReceiver.to('/pager').length >= 1);
      const alerts = (await server.api('GET', '/alerts')).body.items.filter((a: any) => a.tokenId === low.id || a.tokenId === critical.id);
      const lowAlert = alerts.find((a: any) => a.tokenId === low.id);
      assert.deepEqual(
        lowAlert.deliveries.map((d: any) => d.channelId),
        [everything],
        'no delivery row for the filtered channel',
      );
      assert.equal(lowReceiver.to('/pager').length, 1);
      assert.match(lowReceiver.to('/pager')[0]!.text, /critical one/);

      const explained = (await server.api('GET', `/hits/${lowAlert.firstHitId}/explain`)).body;
      assert.equal(explained.alerted, true);
      const verdict = explained.channels.find((c: any) => c.id === paging);
      assert.equal(verdict.filteredOut, "token severity low is below the channel's minimum high");
      assert.ok(explained.reasons.some((r: string) => r.includes('skipped: token severity low')));

      // Tags and kinds filter the same way.
      await server.api('PUT', `/channels/${paging}/filters`, { tags: ['lab'], kinds: ['http'] });
      assert.equal((await server.api('GET', `/hits/${lowAlert.firstHitId}/explain`)).body.channels.find((c: any) => c.id === paging).filteredOut, null);
    });
  });
}
