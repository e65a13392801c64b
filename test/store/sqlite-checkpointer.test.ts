/**
 * The checkpoint thread on a real SQLite file: it is replaced when it dies, and it keeps the WAL
 * bounded while a writer never stops writing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { after, describe, it } from 'node:test';
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore, type StoreOptions } from '../../src/store/connect.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { fileBytes, SqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { waitFor } from '../support/wait.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freshStore(wal?: StoreOptions['wal']) {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-checkpoint-'));
  dirs.push(dir);
  const file = join(dir, 'tripline.db');
  const store = await openStore(file, { wal });
  const tokenId = newTokenId();
  await new TokenRepository(store.db).create({ id: tokenId, kind: 'http', memo: 'checkpoints', createdAt: isoNow() });
  return { store, file, tokenId };
}

/** A hit row with a detail big enough that each commit adds a page or two to the WAL. */
function bulkyHit(tokenId: string) {
  return {
    id: newRowId(),
    token_id: tokenId,
    kind: 'http',
    at: isoNow(),
    source: '192.0.2.9',
    user_agent: null,
    detail: JSON.stringify({ pad: 'x'.repeat(3000) }),
    agent_id: null,
    received_at: null,
  };
}

describe('SqliteCheckpointer', () => {
  it('replaces a thread that dies, and the new one checkpoints', async () => {
    const { store, file, tokenId } = await freshStore();
    const warnings: string[] = [];
    const checkpointer = new SqliteCheckpointer(file, { warn: (message) => warnings.push(message), intervalMs: 20 });
    await waitFor('a first checkpoint', () => checkpointer.status().checkpoints > 0);
    const first = checkpointer.thread!;
    await first.terminate();
    const second = await waitFor('a new checkpoint thread', () => checkpointer.thread !== first && checkpointer.thread);
    assert.notEqual(second.threadId, first.threadId);
    assert.equal(checkpointer.status().workerRestarts, 1);
    assert.ok(
      warnings.some((line) => line.includes('stopped; starting a new one')),
      warnings.join('\n'),
    );

    const before = checkpointer.status().checkpoints;
    for (let i = 0; i < 20; i++) await store.db.insertInto('hits').values(bulkyHit(tokenId)).execute();
    // Two reports after the writes: at least one checkpoint ran wholly after them and copied them.
    await waitFor('the new thread to copy the new frames', () => checkpointer.status().checkpoints >= before + 2 && checkpointer.status().lagFrames === 0);
    await checkpointer.close();
    await store.close();
  });

  it('rewinds the WAL while a writer keeps writing, so it stays bounded', async () => {
    const restartAtBytes = 256 * 1024;
    const { store, file, tokenId } = await freshStore({ restartAtBytes, checkpointIntervalMs: 20 });
    // Back-to-back commits that leave the writer idle only for a turn of the event loop, far faster
    // than checkpoints copy: a PASSIVE checkpoint never finds every frame copied, so only a
    // RESTART can rewind the WAL, and only holding the writers keeps it under the limit.
    const commits = 3000;
    let largest = 0;
    for (let i = 0; i < commits; i++) {
      await store.unsyncedCommit((trx) => trx.insertInto('hits').values(bulkyHit(tokenId)).execute());
      largest = Math.max(largest, fileBytes(`${file}-wal`));
      await turn();
    }
    const status = store.walStatus!();
    const stored = await store.db
      .selectFrom('hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), commits);
    assert.ok(status.walRestarts > 0, `no RESTART ran: ${JSON.stringify(status)}`);
    // Each commit writes at least one 4 KiB page; the WAL holds a few dozen commits at most (one
    // commit may land past the limit before the writers stop).
    assert.ok(largest < restartAtBytes * 4, `the WAL reached ${largest} bytes, ${commits * 4096} or more written`);
    await store.close();
  });

  it('lets writers go on while a reader holds an old snapshot, and rewinds once it lets go', async () => {
    const restartAtBytes = 256 * 1024;
    const { store, file, tokenId } = await freshStore({ restartAtBytes, checkpointIntervalMs: 20 });
    const write = async (commits: number) => {
      for (let i = 0; i < commits; i++) {
        await store.unsyncedCommit((trx) => trx.insertInto('hits').values(bulkyHit(tokenId)).execute());
        await turn();
      }
    };
    await write(10);
    // A long read on another connection: its snapshot pins the WAL frames it may still need.
    const reader = new BetterSqlite3(file, { readonly: true });
    reader.prepare('begin').run();
    reader.prepare('select count(*) from hits').get();
    await write(300);
    const pinned = store.walStatus!();
    assert.ok(fileBytes(`${file}-wal`) > restartAtBytes * 2, 'the reader kept the WAL from being rewound');
    reader.prepare('commit').run();
    reader.close();
    await write(300);
    await waitFor('a rewind once the reader let go', () => store.walStatus!().walRestarts > pinned.walRestarts);
    const stored = await store.db
      .selectFrom('hits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 610, 'every write went through while the reader held on');
    await store.close();
  });
});
