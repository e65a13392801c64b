/**
 * The addon's open() on the real kernel (root required): an open that fails after the fanotify
 * group exists must give its fd back, and a clear error, whatever step failed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GROUP_ACCESS } from '../../../src/agent/sensors/fanotify-abi.js';
import { loadNative } from '../../../src/agent/sensors/native.js';

/** fanotify groups this process holds open: each is an fd on an anon inode named for it. */
function fanotifyFds(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).includes('fanotify')) count += 1;
    } catch {
      // The fd readdir itself used is gone by now.
    }
  }
  return count;
}

describe('native open', () => {
  it('closes the fanotify fd when a later step fails, every time', () => {
    const native = loadNative();
    const before = fanotifyFds();
    const open = native.open as unknown as (kind: number, timeoutMs: number, onEvents: unknown) => unknown;
    for (let i = 0; i < 20; i++) {
      // The group is created before the callback is kept; a number cannot be kept, so this fails late.
      assert.throws(
        () => open(GROUP_ACCESS, 1000, 42),
        (error: NodeJS.ErrnoException) => {
          assert.equal(error.code, 'ENAPI');
          assert.match(error.message, /onEvents/);
          return true;
        },
      );
    }
    assert.equal(fanotifyFds(), before);
  });

  it('refuses too few arguments before creating anything', () => {
    const native = loadNative();
    const before = fanotifyFds();
    const open = native.open as unknown as (...args: unknown[]) => unknown;
    assert.throws(() => open(GROUP_ACCESS, 1000), TypeError);
    assert.equal(fanotifyFds(), before);
  });

  it('holds one fd while open and none after close', () => {
    const native = loadNative();
    const before = fanotifyFds();
    const handle = native.open(GROUP_ACCESS, 1000, () => undefined);
    assert.equal(fanotifyFds(), before + 1);
    native.close(handle);
    assert.equal(fanotifyFds(), before);
  });
});
