/** The disk spool: what is appended survives a restart until acknowledged, in order, once. */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { newRowId } from '../../src/core/ids.js';
import type { AgentEvent } from '../../src/core/agent-protocol.js';
import { REJECTED_DIR, Spool } from '../../src/agent/report/spool.js';

const log = pino({ level: 'silent' });

function event(n: number): AgentEvent {
  return { id: newRowId(), tokenId: `token-${n}`, node: 'n', policy: 'p', hook: 'security_file_permission', actions: ['post'] };
}

describe('Spool', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tripline-spool-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps unacknowledged events across a restart, in order, and forgets acknowledged ones', async () => {
    const path = join(dir, 'restart');
    const first = await Spool.open(path, log);
    const events = [1, 2, 3, 4].map(event);
    await Promise.all(events.map((e) => first.append(e)));
    assert.deepEqual(
      first.batch(10).map((e) => e.id),
      events.map((e) => e.id),
    );
    await first.ack([events[0]!.id, events[1]!.id]);
    await first.close();

    const second = await Spool.open(path, log);
    assert.deepEqual(
      second.batch(10).map((e) => e.tokenId),
      ['token-3', 'token-4'],
    );
    await second.ack(second.batch(10).map((e) => e.id));
    await second.close();
    assert.deepEqual(
      (await readdir(path)).filter((n) => n.endsWith('.jsonl')),
      [],
      'emptied segments are deleted',
    );
    const third = await Spool.open(path, log);
    assert.equal(third.size, 0);
    await third.close();
  });

  it('offers an event while it is being written; its ack waits for the write and removes it for good', async () => {
    const path = join(dir, 'early');
    const spool = await Spool.open(path, log);
    const [early, late] = [event(1), event(2)];
    const stored = [spool.append(early), spool.append(late)];
    // Sent before the disk has it: the send does not wait for the fsync.
    assert.deepEqual(
      spool.batch(10).map((e) => e.id),
      [early.id, late.id],
    );
    await spool.ack([early.id]);
    // The ack ran after the writes queued before it.
    assert.deepEqual(await Promise.all(stored), [true, true]);
    assert.deepEqual(
      spool.batch(10).map((e) => e.id),
      [late.id],
    );
    await spool.close();
    const reopened = await Spool.open(path, log);
    assert.deepEqual(
      reopened.batch(10).map((e) => e.id),
      [late.id],
      'the ack survives a restart',
    );
    await reopened.close();
  });

  it('skips a line cut short by a crash and keeps the rest', async () => {
    const path = join(dir, 'torn');
    const spool = await Spool.open(path, log);
    await spool.append(event(1));
    await spool.close();
    const [segment] = (await readdir(path)).filter((n) => n.endsWith('.jsonl'));
    await appendFile(join(path, segment!), '{"id":"cut-sho');
    const reopened = await Spool.open(path, log);
    assert.deepEqual(
      reopened.batch(10).map((e) => e.tokenId),
      ['token-1'],
    );
    await reopened.close();
  });

  it('moves rejected events to rejected/ and stops offering them', async () => {
    const path = join(dir, 'reject');
    const spool = await Spool.open(path, log);
    const [bad, good] = [event(1), event(2)];
    await spool.append(bad!);
    await spool.append(good!);
    await spool.reject([bad!.id]);
    assert.deepEqual(
      spool.batch(10).map((e) => e.id),
      [good!.id],
    );
    await spool.close();
    const files = await readdir(join(path, REJECTED_DIR));
    assert.equal(files.length, 1);
    const kept = (await readFile(join(path, REJECTED_DIR, files[0]!), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AgentEvent);
    assert.deepEqual(
      kept.map((e) => e.id),
      [bad!.id],
    );
    const reopened = await Spool.open(path, log);
    assert.deepEqual(
      reopened.batch(10).map((e) => e.id),
      [good!.id],
    );
    await reopened.close();
  });

  it('drops new events beyond its bound instead of growing without end', async () => {
    const spool = await Spool.open(join(dir, 'bounded'), log, { maxEvents: 2 });
    const results = await Promise.all([1, 2, 3].map((n) => spool.append(event(n))));
    assert.deepEqual(results, [true, true, false]);
    assert.equal(spool.size, 2);
    await spool.close();
  });

  it('starts a new segment file past the segment size', async () => {
    const path = join(dir, 'segments');
    const spool = await Spool.open(path, log, { segmentBytes: 100 });
    for (const n of [1, 2, 3]) await spool.append(event(n));
    await spool.close();
    assert.equal((await readdir(path)).filter((n) => n.endsWith('.jsonl')).length, 3);
    const reopened = await Spool.open(path, log);
    assert.deepEqual(
      reopened.batch(10).map((e) => e.tokenId),
      ['token-1', 'token-2', 'token-3'],
    );
    await reopened.close();
  });
});
