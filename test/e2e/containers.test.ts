/**
 * Issue 14, points 1 to 4, with real parts: Debian's containerd and runc (test/support/containerd.ts),
 * pods made over the CRI socket with kubelet-style cgroup parents, the real server and the real
 * agent (`--cri-socket` on that containerd's socket). Decoys planted into pods by selector,
 * touched from inside the container with CRI ExecSync; the alerts reach Slack-format and webhook
 * receivers on loopback; the Tetragon export carries process.pod. One containerd for the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentProcess } from '../agent/support/agent-process.js';
import { hitsOf } from '../support/api.js';
import { BUSYBOX_IMAGE, startContainerd, type Containerd, type Pod } from '../support/containerd.js';
import { HttpReceiver } from '../support/http-receiver.js';
import { waitFor } from '../support/wait.js';
import { policy } from '../agent/support/policies.js';
import { plant, startAgent, startWorld, stopWorld, type DecoyWorld } from './decoy-support.js';

const DECOY_PATH = '/root/.ssh/id_ed25519';

interface PodHit {
  detail: {
    access?: {
      path: string;
      decoyCopy?: { decoy: string; pod: { namespace: string; name: string; uid: string }; container: { id: string; name: string }; path: string };
      process: {
        pid: number;
        binary: string;
        pod?: { namespace: string; name: string; uid: string; labels: Record<string, string>; container: { name: string; image: string } };
      };
    };
  };
}

describe('containers: decoys planted into pods, hits and alerts that name the pod', () => {
  let containerd: Containerd;
  let world: DecoyWorld;
  let agent: AgentProcess;
  let receiver: HttpReceiver;
  let web: Pod;
  let webContainer: string;
  let other: Pod;
  let otherContainer: string;
  let tokenId: string;
  let policyFile: string;
  const exportFile = () => join(world.dir, 'export.jsonl');
  const policyDir = () => join(world.dir, 'policies');

  before(async () => {
    containerd = await startContainerd();
    receiver = await new HttpReceiver().start();
    world = await startWorld('tripline-e2e-containers-', 'e2e-node', ['--allow-private-targets']);
    for (const body of [
      { kind: 'slack', name: 'slack', url: receiver.url('/slack/T000/B000/x'), default: true },
      { kind: 'webhook', name: 'hook', url: receiver.url('/generic'), secret: 'receiver-shared-secret-0123456789', default: true },
    ]) {
      const created = await world.api('POST', '/channels', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    web = await containerd.runPod({ namespace: 'shop', name: 'web-7d9f', labels: { app: 'web', tier: 'front' } });
    webContainer = await containerd.runContainer(web, 'web');
    other = await containerd.runPod({ namespace: 'payments', name: 'db-5c4b', labels: { app: 'db' } });
    otherContainer = await containerd.runContainer(other, 'db');
    mkdirSync(policyDir(), { recursive: true });
    agent = await startAgent(world, ['--cri-socket', containerd.socket, '--export', exportFile(), '--heartbeat-interval', '1s']);
  });

  after(async () => {
    if (process.env.SHOW_AGENT_LOG) for (const l of agent?.logs ?? []) console.error(JSON.stringify(l));
    await stopWorld(world, agent);
    await receiver?.stop();
    await containerd?.stop();
  });

  const inContainer = async (id: string, path: string) =>
    (await containerd.exec(id, ['sh', '-c', `test -f ${path} && echo yes || echo no`])).stdout.trim() === 'yes';

  it('plants the decoy into the app=web pod within 5 s, and not into the pod without the label', async () => {
    const planted = await plant(world, ['--kind', 'ssh-key', '--path', DECOY_PATH, '--pod-label', 'app=web', '--policy-dir', policyDir()]);
    tokenId = planted.tokenId;
    policyFile = planted.policyFile;
    assert.match(tokenId, /^[a-z0-9]+$/);
    assert.match(readFileSync(policyFile, 'utf8'), /kind: ContainerDecoy[\s\S]*kind: TracingPolicy\n[\s\S]*podSelector:/);
    const token = await world.api('GET', `/tokens/${tokenId}`);
    assert.equal(token.body.memo, `ssh-key decoy in containers (app=web): ${DECOY_PATH}`);
    await waitFor('the decoy inside shop/web-7d9f', () => inContainer(webContainer, DECOY_PATH), 5000, 100);
    const mode = (await containerd.exec(webContainer, ['stat', '-c', '%a %u', DECOY_PATH])).stdout.trim();
    assert.equal(mode, '600 0');
    const parent = (await containerd.exec(webContainer, ['stat', '-c', '%a %u', '/root/.ssh'])).stdout.trim();
    assert.equal(parent, '700 0');
    assert.equal(await inContainer(otherContainer, DECOY_PATH), false);
    // The decoy is in the container's root, not on the host.
    assert.equal(existsSync(DECOY_PATH) && readFileSync(DECOY_PATH, 'utf8').includes(tokenId), false);
  });

  it('cat inside the container raises a hit, alerts and an export line naming the pod', async () => {
    const read = await containerd.exec(webContainer, ['cat', DECOY_PATH]);
    assert.equal(read.exitCode, 0, read.stderr);
    const hit = await waitFor(
      'a hit from the web pod',
      async () => ((await hitsOf(world, tokenId)) as PodHit[]).find((h) => h.detail.access?.process.pod),
      10_000,
      100,
    );
    const process = hit.detail.access!.process;
    assert.equal(process.pod!.namespace, 'shop');
    assert.equal(process.pod!.name, 'web-7d9f');
    assert.equal(process.pod!.uid, web.uid);
    assert.deepEqual(process.pod!.labels, { app: 'web', tier: 'front' });
    assert.equal(process.pod!.container.name, 'web');
    assert.equal(process.pod!.container.image, BUSYBOX_IMAGE);
    assert.equal(hit.detail.access!.path.endsWith(DECOY_PATH), true);
    // The copy touched is named apart from the accessor: here they are the same pod.
    const copy = hit.detail.access!.decoyCopy!;
    assert.deepEqual(
      { pod: copy.pod, container: copy.container, path: copy.path },
      { pod: { namespace: 'shop', name: 'web-7d9f', uid: web.uid }, container: { id: webContainer, name: 'web' }, path: DECOY_PATH },
    );
    assert.ok(copy.decoy.length > 0);
    const pid = process.pid;

    const slack = await waitFor('the Slack message', () => receiver.received.find((r) => r.path.startsWith('/slack/')), 10_000, 50);
    const slackText = JSON.stringify(slack.body);
    for (const needle of ['shop/web-7d9f', 'web (docker.io/tripline-test/busybox:1)', String(pid), `shop/web-7d9f (container web) ${DECOY_PATH}`])
      assert.ok(slackText.includes(needle), `Slack lacks ${needle}: ${slackText}`);
    const hook = await waitFor('the webhook', () => receiver.received.find((r) => r.path === '/generic'), 10_000, 50);
    const pod = hook.body.firstHit.process.pod;
    assert.equal(pod.namespace, 'shop');
    assert.equal(pod.name, 'web-7d9f');
    assert.equal(pod.container.name, 'web');
    assert.equal(pod.container.image, BUSYBOX_IMAGE);
    assert.equal(hook.body.firstHit.process.pid, pid);
    assert.deepEqual(hook.body.firstHit.file.decoyCopy, copy);

    const line = await waitFor(
      'the export line',
      () =>
        readFileSync(exportFile(), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .find((e) => e.process_kprobe?.process?.pod),
      5000,
      50,
    );
    const exported = line.process_kprobe.process;
    assert.equal(exported.pid, pid);
    assert.deepEqual(exported.pod, {
      namespace: 'shop',
      name: 'web-7d9f',
      uid: web.uid,
      container: { id: webContainer, name: 'web', image: { name: BUSYBOX_IMAGE } },
      pod_labels: { app: 'web', tier: 'front' },
    });
  });

  it("a host process reading the pod's copy through /proc/<pid>/root raises a hit naming the copy, with no accessor pod", async () => {
    const webPid = await containerd.pidOf(webContainer);
    const viaRoot = `/proc/${webPid}/root${DECOY_PATH}`;
    const read = spawnSync('/usr/bin/cat', [viaRoot], { encoding: 'utf8' });
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout, (await containerd.exec(webContainer, ['cat', DECOY_PATH])).stdout, 'the host read the planted copy');
    const hit = await waitFor(
      'a hit from the host process',
      async () => ((await hitsOf(world, tokenId)) as PodHit[]).find((h) => h.detail.access && !h.detail.access.process.pod),
      10_000,
      100,
    );
    const access = hit.detail.access!;
    assert.equal(access.process.binary, '/usr/bin/cat');
    // The kernel names the file by its path in the container's mount, which on its own reads
    // like the host's /root/.ssh: the copy is what says it is the pod's.
    assert.ok(access.path.endsWith(DECOY_PATH), access.path);
    assert.deepEqual(
      { pod: access.decoyCopy!.pod, container: access.decoyCopy!.container, path: access.decoyCopy!.path },
      { pod: { namespace: 'shop', name: 'web-7d9f', uid: web.uid }, container: { id: webContainer, name: 'web' }, path: DECOY_PATH },
    );
  });

  let third: Pod;
  let thirdContainer: string;

  it('a matching pod started later gets its copy within 5 s; the heartbeat reports every copy', async () => {
    third = await containerd.runPod({ namespace: 'shop', name: 'web-8e1a', labels: { app: 'web' } });
    thirdContainer = await containerd.runContainer(third, 'web');
    await waitFor('the decoy inside shop/web-8e1a', () => inContainer(thirdContainer, DECOY_PATH), 5000, 100);
    assert.equal(await inContainer(otherContainer, DECOY_PATH), false);
    type Copy = {
      tokenId: string;
      node: string;
      pod: { namespace: string; name: string };
      container: { id: string; name: string };
      path: string;
      inode: number;
      state: string;
    };
    const copies = await waitFor(
      'both copies in the stored heartbeat',
      async () => {
        const listed: Copy[] = (await world.api('GET', '/agents')).body.items.flatMap((a: { containerDecoys: Copy[] }) => a.containerDecoys);
        return listed.length === 2 ? listed : undefined;
      },
      10_000,
      200,
    );
    assert.deepEqual(copies.map((c) => `${c.pod.namespace}/${c.pod.name}`).sort(), ['shop/web-7d9f', 'shop/web-8e1a']);
    for (const c of copies) {
      assert.deepEqual([c.tokenId, c.node, c.path, c.state, c.container.name], [tokenId, 'e2e-node', DECOY_PATH, 'planted', 'web']);
      assert.ok(c.inode > 0);
    }
    assert.deepEqual(copies.map((c) => c.container.id).sort(), [webContainer, thirdContainer].sort());
  });

  it('withdrawing the decoy removes every copy', async () => {
    rmSync(policyFile);
    await waitFor(
      'the copies to go',
      async () => !(await inContainer(webContainer, DECOY_PATH)) && !(await inContainer(thirdContainer, DECOY_PATH)),
      15_000,
      200,
    );
    // The directories made for it stay: they may hold what the container put there since.
    assert.equal((await containerd.exec(webContainer, ['ls', '-a', '/root/.ssh'])).exitCode, 0);
  });

  it("the tutorial policy, namespaced in shop: a write to the pod's /etc/passwd fires GetUrl and a hit naming the pod; cat does not", async () => {
    const canary = await world.api('POST', '/tokens', { kind: 'http', memo: 'etc-passwd canary' });
    assert.equal(canary.status, 201);
    const url: string = canary.body.url;
    writeFileSync(
      join(policyDir(), 'monitor-etc-passwd-canary.yaml'),
      `apiVersion: cilium.io/v1alpha1
kind: TracingPolicyNamespaced
metadata:
  name: "monitor-etc-passwd-canary"
  namespace: "shop"
spec:
  kprobes:
  - call: "security_file_permission"
    syscall: false
    args:
    - index: 0
      type: "file" # (struct file *) used for getting the path
    - index: 1
      type: "int" # 0x04 is MAY_READ, 0x02 is MAY_WRITE
    selectors:
    - matchArgs:      
      - index: 0
        operator: "Equal"
        values:
        - "/etc/passwd" # filter by filename (/etc/passwd)
      - index: 1
        operator: "Equal"
        values:
        - "2" # filter by type of access (MAY_WRITE)
      matchActions:
      - action: GetUrl
        argUrl: ${url}
`,
    );
    const hostPasswd = readFileSync('/etc/passwd', 'utf8');
    await agent.waitForLog((l) => String(l.msg).startsWith('watching') && String((l as { path?: string }).path).endsWith('/etc/passwd'), 10_000);
    const before = ((await hitsOf(world, canary.body.id)) as unknown[]).length;
    assert.equal((await containerd.exec(webContainer, ['cat', '/etc/passwd'])).exitCode, 0);
    assert.equal((await containerd.exec(otherContainer, ['sh', '-c', 'echo something.strange >> /etc/passwd'])).exitCode, 0);
    const write = await containerd.exec(webContainer, ['sh', '-c', 'echo something.strange >> /etc/passwd']);
    assert.equal(write.exitCode, 0, write.stderr);
    const hits = await waitFor(
      'the GetUrl hit',
      async () => {
        const all = (await hitsOf(world, canary.body.id)) as { source: string; detail: { path?: string } }[];
        return all.length > before ? all : undefined;
      },
      10_000,
      100,
    );
    assert.equal(hits.length - before, 1, 'only the write in shop/web-7d9f fires; cat and the pod in payments do not');
    assert.equal(readFileSync('/etc/passwd', 'utf8'), hostPasswd, "the host's /etc/passwd is untouched");
    assert.match((await containerd.exec(webContainer, ['cat', '/etc/passwd'])).stdout, /something\.strange/);
    const line = await waitFor(
      'the export line for the write',
      () =>
        readFileSync(exportFile(), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .find((e) => e.process_kprobe?.policy_name === 'monitor-etc-passwd-canary'),
      5000,
      50,
    );
    assert.equal(line.process_kprobe.process.pod.name, 'web-7d9f');
    assert.equal(line.process_kprobe.process.pod.namespace, 'shop');
  });

  it('a podSelector policy fires only for pods with matching labels, never for a host process', async () => {
    const canary = await world.api('POST', '/tokens', { kind: 'http', memo: 'scoped canary' });
    assert.equal(canary.status, 201);
    const probe = `/tmp/tripline-scope-probe-${canary.body.id}`;
    writeFileSync(probe, 'host\n');
    for (const id of [webContainer, otherContainer]) assert.equal((await containerd.exec(id, ['sh', '-c', `echo start > ${probe}`])).exitCode, 0);
    const scoped = policy({ name: 'db-only', path: probe, mask: '2', actions: [`action: GetUrl\n        argUrl: ${canary.body.url}`] });
    writeFileSync(join(policyDir(), 'scoped.yaml'), scoped.replace('spec:\n', 'spec:\n  podSelector:\n    matchLabels:\n      app: db\n'));
    const dbPid = await containerd.pidOf(otherContainer);
    await agent.waitForLog((l) => String(l.msg).startsWith('watching') && (l as { path?: string }).path === `/proc/${dbPid}/root${probe}`, 10_000);
    try {
      writeFileSync(probe, 'host write\n', { flag: 'a' });
      assert.equal((await containerd.exec(webContainer, ['sh', '-c', `echo web >> ${probe}`])).exitCode, 0);
      assert.equal((await containerd.exec(otherContainer, ['sh', '-c', `echo db >> ${probe}`])).exitCode, 0);
      await waitFor('the hit from the db pod', async () => ((await hitsOf(world, canary.body.id)) as unknown[]).length > 0, 10_000, 100);
      assert.equal(((await hitsOf(world, canary.body.id)) as unknown[]).length, 1);
      const exported = readFileSync(exportFile(), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => e.process_kprobe?.policy_name === 'db-only');
      assert.ok(exported.length > 0);
      for (const e of exported) assert.equal(`${e.process_kprobe.process.pod?.namespace}/${e.process_kprobe.process.pod?.name}`, 'payments/db-5c4b');
      // No process outside the db pod's container is ever exported for this pod-scoped policy.
      assert.ok(exported.every((e) => e.process_kprobe.process.pod.container.id === otherContainer));
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it("a container's absolute symbolic link is followed inside the container, never to the host's file of that name", async () => {
    const canary = await world.api('POST', '/tokens', { kind: 'http', memo: 'link canary' });
    assert.equal(canary.status, 201);
    const target = `/tmp/tripline-link-target-${canary.body.id}`;
    const link = `/tmp/tripline-link-${canary.body.id}`;
    writeFileSync(target, 'host file\n');
    try {
      const made = await containerd.exec(webContainer, ['sh', '-c', `echo inside > ${target} && ln -s ${target} ${link} && stat -c %i ${target}`]);
      assert.equal(made.exitCode, 0, made.stderr);
      const containerInode = Number(made.stdout.trim());
      const scoped = policy({ name: 'via-link', path: link, mask: '2', actions: [`action: GetUrl\n        argUrl: ${canary.body.url}`] });
      writeFileSync(join(policyDir(), 'via-link.yaml'), scoped);
      const webPid = await containerd.pidOf(webContainer);
      const watching = await agent.waitForLog(
        (l) => String(l.msg).startsWith('watching') && (l as { path?: string }).path === `/proc/${webPid}/root${link}`,
        10_000,
      );
      assert.equal((watching as { ino?: number }).ino, containerInode);
      assert.notEqual(containerInode, statSync(target).ino);
      writeFileSync(target, 'host write\n', { flag: 'a' });
      assert.equal((await containerd.exec(webContainer, ['sh', '-c', `echo container write >> ${link}`])).exitCode, 0);
      await waitFor('the hit from the container write', async () => ((await hitsOf(world, canary.body.id)) as unknown[]).length > 0, 10_000, 100);
      assert.equal(((await hitsOf(world, canary.body.id)) as unknown[]).length, 1);
    } finally {
      rmSync(target, { force: true });
      rmSync(join(policyDir(), 'via-link.yaml'), { force: true });
    }
  });
});
