/**
 * Without a CRI socket the agent still knows a kubelet pod's uid from the cgroup path; a container
 * outside any kubelet cgroup has no pod. (With a socket: test/e2e/containers.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { PodDirectory, podUidFromCgroup } from '../../../src/agent/containers/pod-directory.js';

const ID = 'c'.repeat(64);

test('no CRI socket: the pod uid from the kubelet cgroup path, and nothing else', async () => {
  const pods = new PodDirectory(null, pino({ level: 'silent' }));
  assert.equal(pods.connected, false);
  assert.deepEqual(await pods.lookup(ID, `/kubepods/besteffort/pod8a4c6a1e-1b2c-4d3e-8f90-0123456789ab/${ID}`), {
    namespace: '',
    name: '',
    uid: '8a4c6a1e-1b2c-4d3e-8f90-0123456789ab',
    labels: {},
    container: { id: ID, name: '', image: '' },
  });
  assert.equal(await pods.lookup(ID, `/system.slice/docker-${ID}.scope`), null);
  assert.deepEqual(await pods.running(), []);
});

test('the pod uid in kubelet cgroup paths, cgroupfs and systemd drivers', () => {
  assert.equal(podUidFromCgroup(`/kubepods/besteffort/pod8a4c6a1e-1b2c-4d3e-8f90-0123456789ab/${'c'.repeat(64)}`), '8a4c6a1e-1b2c-4d3e-8f90-0123456789ab');
  assert.equal(
    podUidFromCgroup(
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8a4c6a1e_1b2c_4d3e_8f90_0123456789ab.slice/cri-containerd-${'c'.repeat(64)}.scope`,
    ),
    '8a4c6a1e-1b2c-4d3e-8f90-0123456789ab',
  );
  assert.equal(podUidFromCgroup(`/system.slice/docker-${'c'.repeat(64)}.scope`), null);
});
