import { newRowId } from '../../src/core/ids.js';
import { callApi } from '../support/api.js';
import type { TestServer } from '../support/server.js';

/** A call with any key (or none): what agents, and intruders with stolen keys, can send. */
export function callWith(server: TestServer, key: string | null, method: string, path: string, body?: unknown, raw?: string) {
  return callApi(server.adminUrl, key, method, path, { body, raw });
}

export function processInfo(overrides: Record<string, unknown> = {}) {
  return {
    pid: 4242,
    tid: 4242,
    uid: 1000,
    auid: 1000,
    binary: '/usr/bin/cat',
    arguments: ['/home/alice/.ssh/id_ed25519'],
    cwd: '/home/alice',
    startTime: '2025-03-01T10:00:00.000Z',
    execId: 'dm06OjEyMzo0MjQy',
    containerId: null,
    cgroup: '/user.slice/user-1000.slice/session-3.scope',
    ...overrides,
  };
}

/** An access event as the agent sends it, for the given token. */
export function accessEvent(tokenId: string, overrides: Record<string, unknown> = {}) {
  return {
    id: newRowId(),
    tokenId,
    node: 'web-01',
    policy: `tripline-${tokenId}`,
    hook: 'security_file_permission',
    actions: ['post'],
    access: {
      time: new Date().toISOString(),
      access: 'read',
      path: '/home/alice/.ssh/id_ed25519',
      dev: 2049,
      ino: 131_075,
      permission: true,
      process: processInfo(),
      parent: processInfo({ pid: 4000, tid: 4000, binary: '/usr/bin/bash', arguments: [] }),
    },
    ...overrides,
  };
}

export function tamperEvent(tokenId: string, change: string) {
  return {
    id: newRowId(),
    tokenId,
    node: 'web-01',
    policy: `tripline-${tokenId}`,
    hook: null,
    actions: [],
    tamper: { time: new Date().toISOString(), path: '/home/alice/.ssh/id_ed25519', change, process: processInfo({ binary: '/usr/bin/rm' }) },
  };
}

export function heartbeat(overrides: Record<string, unknown> = {}) {
  return {
    node: 'web-01',
    version: '0.1.0',
    startedAt: new Date().toISOString(),
    policies: [
      { file: '/etc/tripline/policies/tripline-a.yaml', name: 'tripline-a', ok: true, errors: [], warnings: [] },
      {
        file: '/etc/tripline/policies/broken.yaml',
        name: null,
        ok: false,
        errors: ['broken.yaml:7:9: spec.kprobes[0].call: hook "do_sys_open" is not supported'],
        warnings: [],
      },
    ],
    watched: [{ path: '/home/alice/.ssh/id_ed25519', tokenId: null, ok: true }],
    ...overrides,
  };
}

/** A heartbeat whose one loaded policy names these tokens: what lets an agent report on them. */
export function loading(tokenIds: string[], overrides: Record<string, unknown> = {}) {
  return heartbeat({
    policies: [{ file: '/etc/tripline/policies/tripline-a.yaml', name: 'tripline-a', ok: true, errors: [], warnings: [], tokenIds }],
    ...overrides,
  });
}
