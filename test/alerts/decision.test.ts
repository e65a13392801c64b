import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { ChannelService } from '../../src/alerts/channel-service.js';
import { AlertDecider } from '../../src/alerts/decision.js';
import { NO_ALERT_METRICS } from '../../src/alerts/metrics.js';
import { ALERT_DEFAULTS } from '../../src/alerts/settings.js';
import type { FileHitDetail } from '../../src/core/model/hit-detail.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { HitWriter, type NewHit } from '../../src/store/hit-writer.js';
import { Outbox } from '../../src/store/outbox.js';
import { AlertRepository } from '../../src/store/repositories/alerts.js';
import { TokenService } from '../../src/tokens/service.js';
import { storeDialects } from '../support/dialects.js';

const log = pino({ level: 'silent' });
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** A store with the alert decision hooked into its hit writer, and a clock the test moves. */
class Harness {
  now = T0;
  failures = 0;
  readonly writer: HitWriter;
  readonly tokens: TokenService;
  readonly channels: ChannelService;

  constructor(readonly store: Store) {
    this.writer = new HitWriter(store.db, { dialect: store.dialect });
    this.writer.addHook(
      new AlertDecider({
        outbox: new Outbox(store),
        settings: ALERT_DEFAULTS,
        log,
        clock: () => this.now,
        metrics: { ...NO_ALERT_METRICS, decisionFailed: () => this.failures++ },
      }).hook,
    );
    this.tokens = new TokenService(store.db, { publicUrl: 'http://127.0.0.1:9' });
    this.channels = new ChannelService(store.db, { ...ALERT_DEFAULTS, allowPrivateTargets: true }, log, () => '');
  }

  async channel(isDefault = false): Promise<string> {
    return (await this.channels.create({ kind: 'webhook', url: 'http://127.0.0.1:9/hook', isDefault })).id;
  }

  hit(tokenId: string, fields: Partial<NewHit> = {}): NewHit {
    return { tokenId, kind: 'http', at: new Date(this.now).toISOString(), source: '203.0.113.5', userAgent: 'curl/8', detail: { type: 'none' }, ...fields };
  }

  async alerts(tokenId: string) {
    return (await new AlertRepository(this.store.db).list({ tokenId, limit: 500 })).items.reverse();
  }

  async deliveries(alertId: string) {
    return this.store.db.selectFrom('deliveries').selectAll().where('alert_id', '=', alertId).orderBy('purpose').orderBy('channel_id').execute();
  }
}

function fileDetail(binary: string, uid: number, pid: number): FileHitDetail {
  const process = {
    pid,
    uid,
    auid: 1000,
    binary,
    arguments: ['/srv/decoy/passwords.txt'],
    cwd: '/',
    startTime: '2030-01-01T00:00:00Z',
    execId: 'x',
    containerId: null,
    cgroup: '/',
  };
  return {
    type: 'file',
    summary: `${binary} read /srv/decoy/passwords.txt`,
    node: 'web-1',
    policy: 'decoys',
    hook: 'security_file_permission',
    actions: ['post'],
    access: { time: '2030-01-01T00:00:00Z', access: 'read', path: '/srv/decoy/passwords.txt', dev: 1, ino: 2, permission: true, process, parent: null },
  };
}

const dialects = storeDialects();

for (const dialect of dialects) {
  describe(`alert decision on ${dialect.name}`, () => {
    let store: Store;
    let h: Harness;
    before(async () => {
      store = await openStore(await dialect.newLocation());
      h = new Harness(store);
    });
    after(async () => {
      await store.close();
    });

    test('the first hit alerts at once; repeats fold in and schedule one digest per channel for the window end', async () => {
      const channels = [await h.channel(), await h.channel()];
      const token = await h.tokens.create({ kind: 'http', memo: 'fold', channels });
      h.now = T0;
      await h.writer.write(h.hit(token.id));
      let [alert] = await h.alerts(token.id);
      assert.equal(alert!.hitCount, 1);
      assert.equal(alert!.windowEnd, new Date(T0 + 60_000).toISOString());
      let deliveries = await h.deliveries(alert!.id);
      assert.deepEqual(
        deliveries.map((d) => [d.purpose, d.state, d.next_attempt_at]),
        [
          ['alert', 'pending', new Date(T0).toISOString()],
          ['alert', 'pending', new Date(T0).toISOString()],
        ],
      );
      assert.deepEqual(deliveries.map((d) => d.channel_id).sort(), [...channels].sort());

      h.now = T0 + 10_000;
      await h.writer.write(h.hit(token.id));
      h.now = T0 + 59_000;
      await h.writer.write(h.hit(token.id));
      const alerts = await h.alerts(token.id);
      assert.equal(alerts.length, 1);
      alert = alerts[0];
      assert.equal(alert!.hitCount, 3);
      deliveries = await h.deliveries(alert!.id);
      const digests = deliveries.filter((d) => d.purpose === 'digest');
      assert.equal(digests.length, 2, 'one digest per channel, however many hits fold in');
      for (const digest of digests) assert.equal(digest.next_attempt_at, alert!.windowEnd);
    });

    test('another source or user agent is another key; a closed window starts a new alert', async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'keys', channels: [await h.channel()] });
      h.now = T0;
      await h.writer.write(h.hit(token.id));
      await h.writer.write(h.hit(token.id, { userAgent: 'wget/1' }));
      await h.writer.write(h.hit(token.id, { source: '198.51.100.1' }));
      await h.writer.write(h.hit(token.id, { userAgent: null }));
      assert.equal((await h.alerts(token.id)).length, 4);
      h.now = T0 + 60_000;
      await h.writer.write(h.hit(token.id));
      const alerts = await h.alerts(token.id);
      assert.equal(alerts.length, 5, 'the window is over: alert again');
      assert.equal(alerts[0]!.hitCount, 1);
    });

    test("a token's own window overrides the default", async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'short window', alertWindowSeconds: 5, channels: [await h.channel()] });
      h.now = T0;
      await h.writer.write(h.hit(token.id));
      h.now = T0 + 4_999;
      await h.writer.write(h.hit(token.id));
      h.now = T0 + 5_000;
      await h.writer.write(h.hit(token.id));
      assert.deepEqual(
        (await h.alerts(token.id)).map((a) => a.hitCount),
        [2, 1],
      );
    });

    test('file hits group by token, binary and uid', async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'decoy file', channels: [await h.channel()] });
      const fileHit = (binary: string, uid: number, pid: number) => h.hit(token.id, { source: 'web-1', userAgent: null, detail: fileDetail(binary, uid, pid) });
      h.now = T0;
      await h.writer.write(fileHit('/usr/bin/cat', 1000, 10));
      await h.writer.write(fileHit('/usr/bin/cat', 1000, 11)); // another process, same binary and uid: folds
      await h.writer.write(fileHit('/usr/bin/cat', 0, 12)); // root: another key
      await h.writer.write(fileHit('/usr/bin/less', 1000, 13)); // another binary: another key
      const alerts = await h.alerts(token.id);
      assert.deepEqual(
        alerts.map((a) => a.hitCount),
        [2, 1, 1],
      );
    });

    test('a token that names no channels goes to the default channels', async () => {
      const fallback = await h.channel(true);
      const named = await h.channel();
      const plain = await h.tokens.create({ kind: 'http', memo: 'defaults' });
      const routed = await h.tokens.create({ kind: 'http', memo: 'named', channels: [named] });
      h.now = T0;
      await h.writer.write(h.hit(plain.id));
      await h.writer.write(h.hit(routed.id));
      const plainDeliveries = await h.deliveries((await h.alerts(plain.id))[0]!.id);
      const routedDeliveries = await h.deliveries((await h.alerts(routed.id))[0]!.id);
      assert.ok(plainDeliveries.length >= 1 && plainDeliveries.every((d) => d.channel_id !== named));
      assert.ok(plainDeliveries.some((d) => d.channel_id === fallback));
      assert.deepEqual(
        routedDeliveries.map((d) => d.channel_id),
        [named],
      );
    });

    test('many hits of a new key in one transaction: one alert, the rest folded, a digest scheduled', async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'batch', channels: [await h.channel()] });
      h.now = T0;
      await Promise.all(Array.from({ length: 50 }, () => h.writer.write(h.hit(token.id))));
      const alerts = await h.alerts(token.id);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.hitCount, 50);
      assert.deepEqual(
        (await h.deliveries(alerts[0]!.id)).map((d) => d.purpose),
        ['alert', 'digest'],
      );
    });

    test('once its digest is being sent an alert takes no more hits: the next one alerts anew', async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'closed', channels: [await h.channel()] });
      h.now = T0;
      await h.writer.write(h.hit(token.id));
      await h.writer.write(h.hit(token.id));
      const [first] = await h.alerts(token.id);
      await new AlertRepository(store.db).close([first!.id], new Date(T0 + 1000).toISOString());
      h.now = T0 + 2000;
      await h.writer.write(h.hit(token.id));
      assert.deepEqual(
        (await h.alerts(token.id)).map((a) => a.hitCount),
        [2, 1],
      );
    });

    test('past the alert cap, further keys fold into one token digest that counts each key once', async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'scanned', channels: [await h.channel()] });
      const cap = ALERT_DEFAULTS.alertCap;
      h.now = T0;
      for (let i = 0; i < cap + 3; i++) await h.writer.write(h.hit(token.id, { userAgent: `scanner/${i}` }));
      // A key beyond the cap comes back, and a key within it repeats: neither is a new source.
      await h.writer.write(h.hit(token.id, { userAgent: `scanner/${cap + 1}` }));
      await h.writer.write(h.hit(token.id, { userAgent: 'scanner/0' }));
      let alerts = await h.alerts(token.id);
      assert.equal(alerts.length, cap + 1);
      const digest = alerts.find((a) => a.foldedKeys > 0)!;
      assert.equal(digest.foldedKeys, 3);
      assert.equal(digest.hitCount, 4);
      assert.equal(alerts[0]!.hitCount, 2, 'a key within the cap still folds into its own alert');
      assert.deepEqual(
        (await h.deliveries(digest.id)).map((d) => [d.purpose, d.next_attempt_at]),
        [['digest', digest.windowEnd]],
        'sent once, when its window ends',
      );

      // A window later the token may alert again.
      h.now = T0 + 60_000;
      await h.writer.write(h.hit(token.id, { userAgent: 'scanner/new' }));
      alerts = await h.alerts(token.id);
      assert.equal(alerts.length, cap + 2);
      assert.equal(alerts.at(-1)!.foldedKeys, 0);
    });

    test('if deciding fails the hit is still stored (and the failure counted)', async () => {
      const token = await h.tokens.create({ kind: 'http', memo: 'failure', channels: [await h.channel()] });
      const before = h.failures;
      await sql`alter table deliveries rename to deliveries_away`.execute(store.db);
      try {
        const hit = await h.writer.write(h.hit(token.id, { userAgent: 'during the failure' }));
        const stored = await store.db.selectFrom('hits').select('id').where('id', '=', hit.id).executeTakeFirst();
        assert.ok(stored, 'the hit committed');
        assert.equal(h.failures, before + 1);
        assert.equal((await h.alerts(token.id)).length, 0, 'the half-made alert rolled back with the decision');
      } finally {
        await sql`alter table deliveries_away rename to deliveries`.execute(store.db);
      }
      assert.equal((await h.tokens.get(token.id)).hitCount, 1);
    });
  });
}

describe('alert decision across processes (PostgreSQL)', () => {
  test('two writers with their own connection pools racing on one new key open exactly one alert', async () => {
    const url = await dialects.find((d) => d.name === 'postgres')!.newLocation();
    const a = new Harness(await openStore(url));
    const b = new Harness(await openStore(url));
    try {
      const token = await a.tokens.create({ kind: 'http', memo: 'race', channels: [await a.channel()] });
      const each = 200;
      // Interleaved single writes, so each side commits many small transactions against the other.
      await Promise.all([
        (async () => {
          for (let i = 0; i < each; i++) await a.writer.write(a.hit(token.id));
        })(),
        (async () => {
          for (let i = 0; i < each; i++) await b.writer.write(b.hit(token.id));
        })(),
      ]);
      const alerts = await a.alerts(token.id);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.hitCount, 2 * each);
      assert.deepEqual(
        (await a.deliveries(alerts[0]!.id)).map((d) => d.purpose),
        ['alert', 'digest'],
      );
      assert.equal(a.failures + b.failures, 0);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });
});
