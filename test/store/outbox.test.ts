import { PgListener } from '../../src/store/pg-listener.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRowId } from '../../src/core/ids.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { inTransaction } from '../../src/store/db.js';
import { Outbox } from '../../src/store/outbox.js';
import { DeliveryRepository, type NewDelivery } from '../../src/store/repositories/deliveries.js';
import { storeDialects } from '../support/dialects.js';
import { waitFor } from '../support/wait.js';

const NOW = '2026-03-01T12:00:00.000Z';
const LATER = '2026-03-01T13:00:00.000Z';
const LEASE = '2026-03-01T12:01:00.000Z';

function delivery(alertId: string, channelId: string, dueAt: string): NewDelivery {
  return { id: newRowId(), alertId, channelId, channelKind: 'webhook', purpose: 'alert', dueAt, giveUpAt: '2026-03-02T12:00:00.000Z', createdAt: NOW };
}

async function enqueue(store: Store, outbox: Outbox, rows: NewDelivery[], announce = false): Promise<void> {
  await inTransaction(store.db, async (trx) => {
    await outbox.enqueue(trx, rows);
    if (announce) await outbox.announceDue(trx);
  });
}

for (const dialect of storeDialects()) {
  describe(`outbox on ${dialect.name}`, () => {
    it('claims due rows once, settles them only under the claim, and takes one row per alert, channel and purpose', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const outbox = new Outbox(store);
        const due = [delivery('a1', 'c1', NOW), delivery('a2', 'c1', NOW)];
        await enqueue(store, outbox, [...due, delivery('a3', 'c1', LATER), { ...delivery('a1', 'c1', NOW), id: newRowId() }]);
        assert.equal((await new DeliveryRepository(store.db).list()).items.length, 3, 'the second row for a1/c1/alert is not written');

        const claimed = await outbox.claim(10, NOW, LEASE, 'claim-1', 'test');
        assert.deepEqual(claimed.map((d) => d.id).sort(), due.map((d) => d.id).sort());
        assert.ok(claimed.every((d) => d.state === 'sending' && d.attempts === 1 && d.claimId === 'claim-1'));
        assert.deepEqual(await outbox.claim(10, NOW, LEASE, 'claim-2', 'test'), [], 'a claimed row is not claimed again while its lease runs');

        const [first, second] = claimed;
        assert.equal(await outbox.markDelivered(first!.id, 'claim-other', { status: 200, error: null }, NOW), false, 'another claim cannot settle it');
        assert.equal(await outbox.markDelivered(first!.id, 'claim-1', { status: 200, error: null }, NOW), true);
        assert.equal(await outbox.markRetry(second!.id, 'claim-1', { status: 503, error: 'down' }, NOW, NOW), true);

        const again = await outbox.claim(10, NOW, LEASE, 'claim-3', 'test');
        assert.deepEqual(
          again.map((d) => [d.id, d.attempts, d.lastError]),
          [[second!.id, 2, 'down']],
        );
        // The lease ran out (its claimer died): the row is due again, and the old claim is void.
        const taken = await outbox.claim(10, LEASE, LATER, 'claim-4', 'test');
        assert.deepEqual(
          taken.map((d) => d.id),
          [second!.id],
          'the row due later is not due yet',
        );
        assert.equal(await outbox.markDead(second!.id, 'claim-3', { status: null, error: 'late' }, LEASE), false);
        assert.equal(await outbox.markDead(second!.id, 'claim-4', { status: null, error: 'gave up' }, LEASE), true);
        assert.equal((await new DeliveryRepository(store.db).get(second!.id)).state, 'dead');
      } finally {
        await store.close();
      }
    });

    it('wakes its watchers when a committed transaction announces due rows', async () => {
      const location = await dialect.newLocation();
      const store = await openStore(location);
      const listener = dialect.name === 'postgres' ? new PgListener(location) : undefined;
      listener?.start();
      const outbox = new Outbox(store, { listener });
      let wakes = 0;
      const watch = outbox.watch(() => wakes++);
      try {
        // On PostgreSQL the listener wakes once when it connects, for rows written while no one listened.
        if (dialect.name === 'postgres') await waitFor('the listener to connect', () => wakes > 0);
        const before = wakes;
        await enqueue(store, outbox, [delivery('a1', 'c1', NOW)], true);
        await waitFor('a wake after the commit', () => wakes > before);
        const claimed = await outbox.claim(10, NOW, LEASE, 'claim-1', 'test');
        assert.equal(claimed.length, 1, 'the woken dispatcher finds the row');
      } finally {
        await watch.stop();
        await listener?.stop();
        await store.close();
      }
    });
  });
}
