/**
 * A real containerd (Debian's, with runc) for the container tests: its own root, state dir and
 * socket under a temp dir, so it never meets the host's containerd or another test's. Pods and
 * containers are made over its CRI socket as the kubelet makes them: cgroupfs driver, cgroup
 * parent /kubepods/besteffort/pod<uid>, host network (there is no CNI here, and runc refuses a
 * hostname in a host-network pod, so none is set), and the kubelet's io.kubernetes.* labels.
 *
 * The image is built by hand from busybox-static as an OCI archive and imported with ctr: no
 * registry is ever contacted. It doubles as the pod sandbox ("pause") image.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CriClient } from '../../src/agent/containers/cri-client.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export const BUSYBOX_IMAGE = 'docker.io/tripline-test/busybox:1';
const APPLETS = ['sh', 'cat', 'echo', 'sleep', 'ls', 'id', 'stat', 'touch', 'head', 'true', 'ln', 'rm', 'mkdir'];

export interface PodSpec {
  namespace: string;
  name: string;
  uid?: string;
  labels?: Record<string, string>;
}

export interface Pod {
  id: string;
  uid: string;
  spec: PodSpec;
  /** The config RunPodSandbox was given; CreateContainer needs it again. */
  config: Record<string, unknown>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Containerd {
  dir: string;
  socket: string;
  cri: CriClient;
  runPod(spec: PodSpec): Promise<Pod>;
  /** Creates and starts a container running `sleep` (or `command`) in the pod. */
  runContainer(pod: Pod, name: string, command?: string[]): Promise<string>;
  /** The container's init pid on the host. */
  pidOf(containerId: string): Promise<number>;
  exec(containerId: string, cmd: string[]): Promise<ExecResult>;
  removePod(pod: Pod): Promise<void>;
  stop(): Promise<void>;
}

function config(dir: string): string {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  sandbox_image = "${BUSYBOX_IMAGE}"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${dir}/cni/bin"
    conf_dir = "${dir}/cni/conf"
`;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** An OCI image archive: one layer with busybox, its applets as symlinks, and a passwd file. */
async function buildImage(dir: string): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  const layout = join(dir, 'oci');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layerTar = join(dir, 'layer.tar');
  await run('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', layerTar, '.']);
  const layer = readFileSync(layerTar);
  const layerDigest = sha256(layer);
  writeFileSync(join(blobs, layerDigest), layer);
  const blob = (value: object): { digest: string; size: number } => {
    const bytes = Buffer.from(JSON.stringify(value));
    const digest = sha256(bytes);
    writeFileSync(join(blobs, digest), bytes);
    return { digest: `sha256:${digest}`, size: bytes.length };
  };
  const imageConfig = blob({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sleep', '2147483647'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...imageConfig },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layer.length }],
  });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'io.containerd.image.name': BUSYBOX_IMAGE, 'org.opencontainers.image.ref.name': '1' },
        },
      ],
    }),
  );
  const archive = join(dir, 'busybox-oci.tar');
  await run('tar', ['-C', layout, '-cf', archive, '.']);
  return archive;
}

/** Starts containerd, imports the busybox image and waits for the CRI to answer. */
export async function startContainerd(): Promise<Containerd> {
  const dir = mkdtempSync(join(tmpdir(), 'tripline-containerd-'));
  for (const d of ['cni/bin', 'cni/conf']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'config.toml'), config(dir));
  const socket = join(dir, 'containerd.sock');
  let log = '';
  const child: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cri = new CriClient(socket, 60_000);
  const pods: Pod[] = [];
  try {
    await waitFor('containerd to serve the CRI', () => cri.call('Version', {}, 2000).then(() => true), 30_000, 100);
    const archive = await buildImage(dir);
    await run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', '--no-unpack=false', archive]).catch(() =>
      run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', archive]),
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`containerd did not start: ${(err as Error).message}\n${log}`);
  }

  const harness: Containerd = {
    dir,
    socket,
    cri,
    async runPod(spec) {
      const uid = spec.uid ?? randomUUID();
      const podConfig = {
        metadata: { name: spec.name, uid, namespace: spec.namespace, attempt: 0 },
        logDirectory: join(dir, 'logs', uid),
        labels: { ...spec.labels, 'io.kubernetes.pod.name': spec.name, 'io.kubernetes.pod.namespace': spec.namespace, 'io.kubernetes.pod.uid': uid },
        linux: {
          cgroupParent: `/kubepods/besteffort/pod${uid}`,
          securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } },
        },
      };
      mkdirSync(podConfig.logDirectory, { recursive: true });
      const { podSandboxId } = await cri.call<{ podSandboxId: string }>('RunPodSandbox', { config: podConfig });
      const pod = { id: podSandboxId, uid, spec, config: podConfig };
      pods.push(pod);
      return pod;
    },
    async runContainer(pod, name, command = ['/bin/sleep', '2147483647']) {
      const { containerId } = await cri.call<{ containerId: string }>('CreateContainer', {
        podSandboxId: pod.id,
        sandboxConfig: pod.config,
        config: {
          metadata: { name, attempt: 0 },
          image: { image: BUSYBOX_IMAGE },
          command,
          logPath: `${name}.log`,
          labels: {
            'io.kubernetes.container.name': name,
            'io.kubernetes.pod.name': pod.spec.name,
            'io.kubernetes.pod.namespace': pod.spec.namespace,
            'io.kubernetes.pod.uid': pod.uid,
          },
          linux: { securityContext: { namespaceOptions: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } } },
        },
      });
      await cri.call('StartContainer', { containerId });
      return containerId;
    },
    async pidOf(containerId) {
      const status = await cri.call<{ info: Record<string, string> }>('ContainerStatus', { containerId, verbose: true });
      return (JSON.parse(status.info.info ?? '{}') as { pid?: number }).pid ?? 0;
    },
    async exec(containerId, cmd) {
      const r = await cri.call<{ stdout: Buffer; stderr: Buffer; exitCode: number }>('ExecSync', { containerId, cmd, timeout: 30 });
      return { exitCode: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
    },
    async removePod(pod) {
      await cri.call('StopPodSandbox', { podSandboxId: pod.id });
      await cri.call('RemovePodSandbox', { podSandboxId: pod.id });
      pods.splice(pods.indexOf(pod), 1);
    },
    async stop() {
      for (const pod of [...pods]) await harness.removePod(pod).catch(() => undefined);
      cri.close();
      child.kill('SIGTERM');
      await exited;
      // Shims outlive containerd by design; with every pod removed they have exited.
      await run('umount', ['-R', join(dir, 'state')]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
