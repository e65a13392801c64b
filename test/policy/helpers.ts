import { fileURLToPath } from 'node:url';
import type { FileAccess, FileAccessEvent, ProcessInfo } from '../../src/core/file-event.js';
import { loadPolicyText } from '../../src/policy/load.js';
import type { CompiledPolicy } from '../../src/policy/compile.js';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export function processInfo(overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid: 4242,
    uid: 1000,
    auid: 1000,
    binary: '/usr/bin/cat',
    arguments: ['/srv/decoy/passwd'],
    cwd: '/home/user',
    startTime: '2024-01-01T00:00:00.000Z',
    execId: 'bm9kZTo0MjQy',
    containerId: null,
    cgroup: '/user.slice',
    ...overrides,
  };
}

export function fileEvent(
  path: string,
  access: FileAccess,
  overrides: { process?: Partial<ProcessInfo>; parent?: Partial<ProcessInfo> | null; dev?: number; ino?: number } = {},
): FileAccessEvent {
  return {
    time: '2024-01-01T00:00:00.000Z',
    access,
    path,
    dev: overrides.dev ?? 2049,
    ino: overrides.ino ?? 1234,
    permission: true,
    process: processInfo(overrides.process),
    parent: overrides.parent === null ? null : processInfo({ pid: 1, binary: '/usr/bin/bash', ...overrides.parent }),
  };
}

/** Loads YAML that must be valid and hold exactly one policy. */
export function onePolicy(yaml: string): CompiledPolicy {
  const result = loadPolicyText('inline.yaml', yaml);
  if (result.errors.length > 0 || result.policies.length !== 1) {
    throw new Error(`expected one valid policy:\n${result.errors.map((e) => e.format()).join('\n')}`);
  }
  return result.policies[0]!;
}

/** YAML of a security_file_permission policy on file + mask with the given selectors (indented
 * as the items of `selectors:`); `extraSpec` goes first under spec. */
export function permissionPolicyYaml(selectors: string, extraSpec = '', name = 'test'): string {
  return `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: ${name}
spec:${extraSpec}
  kprobes:
  - call: security_file_permission
    syscall: false
    args:
    - index: 0
      type: file
    - index: 1
      type: int
    selectors:
${selectors}`;
}

export function permissionPolicy(selectors: string, extraSpec = ''): CompiledPolicy {
  return onePolicy(permissionPolicyYaml(selectors, extraSpec));
}

/** A selector item matching the file at `path` exactly, to start `selectors:` with. */
export function equalPathSelector(path: string): string {
  return `    - matchArgs:
      - index: 0
        operator: Equal
        values: ["${path}"]
`;
}
