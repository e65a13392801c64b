/**
 * A server whose SQLite store sits on a small filesystem that fills up under load (root: it mounts
 * a 64 MiB tmpfs and fills it with a ballast file). While the disk is full new hits get 503; no hit
 * that got a 200 is lost; once the ballast is deleted, hits succeed again without a restart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listenArgs, spawnServer, type ServerProcess } from '../support/process.js';

const KEY = 'tpl_admin_disk-full-test-key-0123456789abcdef';
const CONCURRENCY = 16;

/** Writes zeros until the filesystem refuses, so the store finds no free block. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 512]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Hits numbered in order, CONCURRENCY at a time, until `enough` says so or the bounds are reached. */
class Load {
  readonly statuses = new Map<number, number>();
  private next = 0;

  constructor(
    private readonly url: string,
    private readonly tokenId: string,
  ) {}

  count(status: number, from = 0): number {
    let n = 0;
    for (const [hit, got] of this.statuses) if (hit >= from && got === status) n += 1;
    return n;
  }

  /** The statuses from hit `from` on as runs ("200x12 503x3 ..."), for failure messages. */
  runs(from: number): string {
    const runs: string[] = [];
    let current = -1;
    let length = 0;
    for (let n = from; n < this.next; n++) {
      const status = this.statuses.get(n) ?? -1;
      if (status === current) length += 1;
      else {
        if (length) runs.push(`${current}x${length}`);
        current = status;
        length = 1;
      }
    }
    if (length) runs.push(`${current}x${length}`);
    return runs.join(' ');
  }

  get sent(): number {
    return this.next;
  }

  async run(enough: () => boolean, maxHits: number, maxMs: number): Promise<void> {
    const last = this.next + maxHits;
    const deadline = Date.now() + maxMs;
    const worker = async () => {
      while (!enough() && this.next < last && Date.now() < deadline) {
        const n = this.next++;
        const status = await fetch(`${this.url}/${this.tokenId}?n=${n}`).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          () => 0,
        );
        this.statuses.set(n, status);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }
}

/** Every `n` in the query strings of the token's stored hits. */
async function storedHitNumbers(server: ServerProcess, tokenId: string): Promise<Set<number>> {
  const numbers = new Set<number>();
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${server.adminUrl}/api/v1/tokens/${tokenId}/hits?limit=500${query}`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(response.status, 200);
    const page = (await response.json()) as { items: { detail: { query?: string } }[]; nextCursor: string | null };
    for (const hit of page.items) {
      const match = /(?:^|&)n=(\d+)/.exec(hit.detail.query ?? '');
      if (match) numbers.add(Number(match[1]));
    }
    cursor = page.nextCursor;
  } while (cursor);
  return numbers;
}

describe('a full disk under the SQLite store', { skip: process.getuid?.() !== 0 && 'mounts a tmpfs: needs root' }, () => {
  it('answers 503 while full, loses no acknowledged hit, and recovers by itself when space returns', async () => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'tripline-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint]);
    let server: ServerProcess | undefined;
    try {
      // Every hit kept in full (no flood sampling), so each acknowledged one can be looked up.
      const args = ['--max-connections-per-source', '64', '--flood-threshold', '1000000', '--db', join(mountPoint, 'tripline.db')];
      server = await spawnServer([...(await listenArgs()), ...args], { TRIPLINE_ADMIN_KEY: KEY });
      const created = await fetch(`${server.adminUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'http', memo: 'disk full' }),
      });
      const token = (await created.json()) as { id: string };
      const load = new Load(server.url, token.id);
      await load.run(() => false, 200, 30_000);
      assert.equal(load.count(200), 200, 'hits succeed while there is room');

      const ballast = join(mountPoint, 'ballast');
      fillDisk(ballast);
      await load.run(() => load.count(503) >= 50, 20_000, 120_000);
      assert.ok(load.count(503) >= 50, `the disk filled up but only ${load.count(503)} of ${load.sent} hits got 503`);

      rmSync(ballast);
      const recoveredFrom = load.sent;
      // Recovered: 200 hits answered since the last one that failed all succeeded, without a restart.
      const recovered = () => {
        let lastFailure = recoveredFrom - 1;
        for (const [n, status] of load.statuses) if (n >= recoveredFrom && status !== 200) lastFailure = Math.max(lastFailure, n);
        return load.count(200, lastFailure + 1) >= 200;
      };
      // Bounded well under what the freed 64 MiB holds, so the load cannot fill the disk again.
      await load.run(recovered, 10_000, 120_000);
      assert.ok(
        recovered(),
        `after space returned, ${load.count(200, recoveredFrom)} of ${load.sent - recoveredFrom} hits succeeded: ${load.runs(recoveredFrom)}\n${server.stderr().slice(-3000)}\n${server.stdout().slice(-3000)}`,
      );
      assert.equal(server.child.exitCode, null, 'the server kept running');

      const others = [...load.statuses.values()].filter((status) => status !== 200 && status !== 503);
      assert.deepEqual(others, [], 'every hit got 200 or 503');
      const stored = await storedHitNumbers(server, token.id);
      const lost = [...load.statuses].filter(([n, status]) => status === 200 && !stored.has(n)).map(([n]) => n);
      assert.deepEqual(lost, [], 'acknowledged hits missing from the store');
    } finally {
      await server?.stop();
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
