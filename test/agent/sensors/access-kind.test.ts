import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, type FdProbe, openFlags, openMode } from '../../../src/agent/sensors/access-kind.js';
import { FAN_ACCESS_PERM, FAN_MODIFY, FAN_OPEN_EXEC_PERM, FAN_OPEN_PERM, FAN_PRE_ACCESS } from '../../../src/agent/sensors/fanotify-abi.js';
import { fdinfoAccessMode } from '../../../src/agent/sensors/fd-probe.js';
import { parseSyscallLine } from '../../../src/agent/sensors/syscall-info.js';

const probe = (target: number[], writable = false): FdProbe => ({
  refersToFile: (fd) => target.includes(fd),
  holdsWritable: () => writable,
});
const sys = (line: string) => parseSyscallLine(1, line);

describe('classify (x86_64 syscall numbers)', () => {
  const pre = (line: string, fds = probe([])) => classify(FAN_PRE_ACCESS, sys(line), fds, 'x64');

  it('maps the plain permission events', async () => {
    assert.equal(await classify(FAN_OPEN_PERM, null, probe([])), 'open');
    assert.equal(await classify(FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM, null, probe([])), 'exec');
    assert.equal(await classify(FAN_ACCESS_PERM, null, probe([])), 'read');
    assert.equal(await classify(FAN_MODIFY, null, probe([])), 'write');
  });

  it('skips a pre-access that is a read (FAN_ACCESS_PERM reports it next)', async () => {
    assert.equal(await pre('0 0x3 0x7ffd 0x1000 0x0 0x0 0x0 0x0 0x0'), 'skip');
  });

  it('reports write, pwrite64, writev and fallocate as writes', async () => {
    for (const nr of [1, 18, 20, 285]) assert.equal(await pre(`${nr} 0x1 0x0 0x2 0x0 0x0 0x0 0x0 0x0`), 'write');
  });

  it('reports truncation and mappings', async () => {
    assert.equal(await pre('77 0x3 0x14 0x0 0x0 0x0 0x0 0x0 0x0'), 'truncate');
    assert.equal(await pre('9 0x0 0x2000 0x1 0x1 0x3 0x0 0x0 0x0'), 'mmap');
    assert.equal(await pre('-1 0x7ffd 0x4011'), 'mmap');
  });

  it('tells copy_file_range into the decoy (write) from out of it (read)', async () => {
    const line = '326 0x3 0x0 0x4 0x0 0x7fffffffc0000000 0x0 0x0 0x0';
    assert.equal(await pre(line, probe([4])), 'write');
    assert.equal(await pre(line, probe([3])), 'skip');
  });

  it('falls back to the open file modes when the syscall is unknown', async () => {
    assert.equal(await classify(FAN_PRE_ACCESS, sys('running'), probe([], true), 'x64'), 'write');
    assert.equal(await classify(FAN_PRE_ACCESS, null, probe([], false), 'x64'), 'skip');
  });
});

describe('open flags', () => {
  it('reads the flags register of open, openat and creat', () => {
    assert.equal(openFlags(sys('257 0xffffff9c 0x55c0 0x441 0x1b6 0x0 0x0 0x0 0x0'), 'x64'), 0o2101);
    assert.equal(openFlags(sys('2 0x55c0 0x2 0x0 0x0 0x0 0x0 0x0 0x0'), 'x64'), 2);
    assert.equal(openFlags(sys('85 0x55c0 0x1b6 0x0 0x0 0x0 0x0 0x0 0x0'), 'x64'), 0o1101);
    assert.equal(openFlags(sys('437 0xffffff9c 0x55c0 0x7ffd 0x18 0x0 0x0 0x0 0x0'), 'x64'), null);
  });

  it('names the access mode', () => {
    assert.equal(openMode(0o2101), 'write');
    assert.equal(openMode(0), 'read');
    assert.equal(openMode(2), 'readwrite');
  });

  it('reads the access mode from fdinfo', () => {
    assert.equal(fdinfoAccessMode('pos:\t0\nflags:\t0102001\nmnt_id:\t27\n'), 1);
    assert.equal(fdinfoAccessMode('pos:\t0\nflags:\t0100000\n'), 0);
  });
});
