/**
 * SqliteDurableCommit acknowledges a hit only after the WAL sync that covers it has returned. The
 * sync is replaced by one the test holds back and releases, so the order is observed, not timed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore, type Store } from '../../src/store/connect.js';
import { SqliteDurableCommit } from '../../src/store/durable-commit.js';
import type { Database } from '../../src/store/schema.js';
import { HitWriter } from '../../src/store/hit-writer.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { waitFor } from '../support/wait.js';

/** Syncs that wait until the test releases them, in the order they were asked for. */
class HeldSyncs {
  readonly calls: { release: () => void; fail: (error: Error) => void }[] = [];
  readonly sync = () =>
    new Promise<void>((resolve, reject) => {
      this.calls.push({ release: resolve, fail: reject });
    });
}

/** Lets callbacks already queued run: for checking that something has not happened (yet). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function setUp(): Promise<{ store: Store; held: HeldSyncs; writer: HitWriter; tokenId: string; stored: () => Promise<number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-durable-'));
  dirs.push(dir);
  const file = join(dir, 'tripline.db');
  const store = await openStore(file);
  const tokenId = newTokenId();
  await new TokenRepository(store.db).create({ id: tokenId, kind: 'http', memo: 'held sync', createdAt: isoNow() });
  const held = new HeldSyncs();
  const commit = new SqliteDurableCommit(store.db, `${file}-wal`, { sync: held.sync });
  const writer = new HitWriter(store.db, { durableCommit: commit.commit });
  const stored = async () =>
    Number(
      (
        await store.db
          .selectFrom('hits')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { store, held, writer, tokenId, stored };
}

function hit(tokenId: string) {
  return { tokenId, kind: 'http', at: isoNow(), source: '192.0.2.7', userAgent: null, detail: { type: 'none' as const } };
}

describe('SqliteDurableCommit', () => {
  it('does not resolve write() until the sync covering its commit returns', async () => {
    const { store, held, writer, tokenId, stored } = await setUp();
    let acknowledged = false;
    const written = writer.write(hit(tokenId)).then(() => (acknowledged = true));
    await waitFor('the sync to be asked for', () => held.calls.length === 1);
    await settle();
    // Committed (another statement on the connection sees the row) but not yet acknowledged.
    assert.equal(await stored(), 1);
    assert.equal(acknowledged, false);
    held.calls[0]!.release();
    await written;
    assert.equal(acknowledged, true);
    await store.close();
  });

  it('does not let a sync that started before a commit acknowledge it', async () => {
    const { store, held, writer, tokenId, stored } = await setUp();
    const order: string[] = [];
    const first = writer.write(hit(tokenId)).then(() => order.push('first'));
    await waitFor('the first sync to be asked for', () => held.calls.length === 1);
    // Committed while the first sync is under way: its frames may have missed that sync.
    const second = writer.write(hit(tokenId)).then(() => order.push('second'));
    await waitFor('the second commit', async () => (await stored()) === 2);
    await settle();
    assert.equal(held.calls.length, 1, 'the next sync waits for the one under way');
    held.calls[0]!.release();
    await first;
    await waitFor('a second sync for the second commit', () => held.calls.length === 2);
    assert.deepEqual(order, ['first']);
    held.calls[1]!.release();
    await second;
    assert.deepEqual(order, ['first', 'second']);
    await store.close();
  });

  it('rejects the write when its sync fails, although the transaction committed', async () => {
    const { store, held, writer, tokenId } = await setUp();
    const written = writer.write(hit(tokenId));
    await waitFor('the sync to be asked for', () => held.calls.length === 1);
    held.calls[0]!.fail(new Error('EIO: the disk went away'));
    await assert.rejects(written, /EIO/);
    await store.close();
  });

  it('holds new transactions while writers are paused, and runs them once resumed', async () => {
    const { store, held, tokenId, stored } = await setUp();
    const commit = new SqliteDurableCommit(store.db, 'unused', { sync: held.sync });
    await commit.pauseWriters();
    let done = false;
    const work = commit
      .unsyncedCommit(async (trx) => {
        await trx
          .insertInto('hits')
          .values({
            id: 'paused-hit',
            token_id: tokenId,
            kind: 'http',
            at: isoNow(),
            source: 's',
            user_agent: null,
            detail: '{}',
            agent_id: null,
            received_at: null,
          })
          .execute();
      })
      .then(() => (done = true));
    await settle();
    assert.equal(done, false);
    assert.equal(await stored(), 0);
    commit.resumeWriters();
    await work;
    assert.equal(await stored(), 1);
    await store.close();
  });

  it('resolves pauseWriters only once the transaction under way has finished', async () => {
    const { store, held } = await setUp();
    const commit = new SqliteDurableCommit(store.db, 'unused', { sync: held.sync });
    let finish: (() => void) | undefined;
    const running = commit.unsyncedCommit(() => new Promise<void>((resolve) => (finish = resolve)));
    await waitFor('the transaction to start', () => finish !== undefined);
    let paused = false;
    const pausing = commit.pauseWriters().then(() => (paused = true));
    await settle();
    assert.equal(paused, false);
    finish!();
    await running;
    await pausing;
    assert.equal(paused, true);
    commit.resumeWriters();
    await store.close();
  });

  it('commits the hot path with synchronous OFF, and any other statement runs under FULL', async () => {
    const { store, held } = await setUp();
    const commit = new SqliteDurableCommit(store.db, 'unused', { sync: held.sync });
    const synchronous = async (db: Kysely<Database>) => Number((await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]!.synchronous);
    assert.equal(await synchronous(store.db), 2, 'FULL before any hot commit');
    const inside: number[] = [];
    // Two back to back, as batches of hits come: both run lowered.
    for (let i = 0; i < 2; i++) await commit.unsyncedCommit(async (trx) => void inside.push(await synchronous(trx)));
    assert.deepEqual(inside, [0, 0]);
    // The setting is left lowered between batches; the next statement from elsewhere restores it first.
    assert.equal(await synchronous(store.db), 2);
    await store.db.transaction().execute(async (trx) => assert.equal(await synchronous(trx), 2));
    await commit.unsyncedCommit(async (trx) => assert.equal(await synchronous(trx), 0));
    const tokenId = newTokenId();
    await new TokenRepository(store.db).create({ id: tokenId, kind: 'http', memo: 'after a hot commit', createdAt: isoNow() });
    assert.equal(await synchronous(store.db), 2);
    await store.close();
  });
});
