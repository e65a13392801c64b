import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newSecret } from '../../src/core/ids.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { freePort } from '../support/ports.js';
import { listenArgs, spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';

const ALERTS = 20;

test('a server killed with SIGKILL while deliveries are pending delivers them after restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-restart-'));
  const db = join(dir, 'tripline.db');
  // The receiver's port, while nothing listens on it: every attempt is refused.
  const receiverPort = await freePort();
  const receiver = new HttpReceiver();
  // Each user agent is its own alert: the cap must let all of them through.
  const args = ['--delivery-timeout', '1s', '--delivery-backoff-max', '1s', '--allow-private-targets', '--alert-cap', String(ALERTS)];
  const env = { TRIPLINE_ADMIN_KEY: newSecret('tpl_test') };
  const first = await spawnServer([...(await listenArgs()), '--db', db, ...args], env);
  let second: ServerProcess | undefined;
  try {
    const channel = await first.api('POST', '/channels', { kind: 'webhook', url: `http://127.0.0.1:${receiverPort}/hook`, default: true });
    assert.equal(channel.status, 201);
    const token = await first.api('POST', '/tokens', { kind: 'http', memo: 'restart' });
    for (let i = 0; i < ALERTS; i++) await fetch(token.body.url, { headers: { 'user-agent': `intruder-${i}` } });

    // Every delivery has failed at least once against the dead receiver and waits for a retry.
    await waitFor(
      'every delivery to have failed once',
      async () => {
        const page = await first.api('GET', '/deliveries?limit=100');
        return (
          page.body.items.length === ALERTS &&
          page.body.items.every((d: { attempts: number; state: string }) => d.attempts >= 1 && d.state !== 'delivered') &&
          true
        );
      },
      30_000,
    );
    await first.kill();
    assert.equal(first.child.signalCode, 'SIGKILL');

    await receiver.start(receiverPort);
    second = await spawnServer([...(await listenArgs()), '--db', db, ...args], env);
    await waitFor('every alert at the receiver', () => new Set(receiver.received.map((r) => r.body.alertId)).size === ALERTS && true, 30_000, 50);
    const agents = receiver.received.map((r) => r.body.firstHit.userAgent).sort();
    assert.deepEqual([...new Set(agents)], Array.from({ length: ALERTS }, (_, i) => `intruder-${i}`).sort());
    await waitFor('the deliveries to be recorded as delivered', async () => {
      const page = await second!.api('GET', '/deliveries?limit=100');
      return page.body.items.every((d: { state: string }) => d.state === 'delivered') && true;
    });
  } finally {
    await first.kill();
    await second?.stop();
    await receiver.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
