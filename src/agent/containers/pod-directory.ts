/**
 * Which pod a container belongs to, asked of the node's container runtime over the CRI:
 * ContainerStatus (verbose, for the container's name, image, sandbox id and init pid), then
 * PodSandboxStatus (namespace, name, uid, labels). Answers are cached by container id, and a
 * container is forgotten once a listing of running containers no longer has it.
 *
 * Without a CRI socket, the kubelet's cgroup path still names the pod's uid; that is all such a
 * pod carries.
 */
import type { Logger } from 'pino';
import type { PodInfo } from '../../core/file-event.js';
import type { CriClient } from './cri-client.js';
import { CriError } from './cri-client.js';

/** Labels the kubelet adds to every sandbox; Tetragon's pod_labels come from the Pod object and lack them. */
const KUBELET_LABELS = new Set(['io.kubernetes.pod.name', 'io.kubernetes.pod.namespace', 'io.kubernetes.pod.uid']);

/** The pod uid in a kubelet cgroup path: /kubepods/besteffort/pod<uid>/… or …-pod<uid_with_underscores>.slice. */
export function podUidFromCgroup(cgroup: string): string | null {
  const m = /(?:^|[/-])pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?(?:\/|$)/.exec(cgroup);
  return m ? m[1]!.replaceAll('_', '-') : null;
}

export interface RunningContainer {
  pod: PodInfo;
  /** The container's init process on the host: its /proc/<pid>/root is the container's root. */
  pid: number;
}

interface ContainerStatusResponse {
  status?: { id: string; metadata?: { name?: string }; image?: { image?: string }; imageRef?: string; labels?: Record<string, string> };
  info?: Record<string, string>;
}

interface SandboxStatusResponse {
  status?: { id: string; metadata?: { name?: string; uid?: string; namespace?: string }; labels?: Record<string, string> };
}

function podLabels(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !KUBELET_LABELS.has(k)));
}

export class PodDirectory {
  private readonly known = new Map<string, Promise<RunningContainer | null>>();
  /** Running containers by init pid, from the last listing. */
  private byPid = new Map<number, RunningContainer>();
  /** Containers whose lookup failure was logged: a runtime that keeps failing is logged once each. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly cri: CriClient | null,
    private readonly log: Logger,
    /** Per call on the verdict path: a slow runtime must not hold the accessor long. */
    private readonly lookupTimeoutMs = 1000,
  ) {}

  close(): void {
    this.cri?.close();
  }

  get connected(): boolean {
    return this.cri !== null;
  }

  /** The pod of a container, or the bare pod uid from the cgroup when the runtime cannot say. */
  async lookup(containerId: string, cgroup: string): Promise<PodInfo | null> {
    const found = this.cri ? await this.container(containerId) : null;
    if (found) return found.pod;
    const uid = podUidFromCgroup(cgroup);
    return uid ? { namespace: '', name: '', uid, labels: {}, container: { id: containerId, name: '', image: '' } } : null;
  }

  /** Every running container with its pod; containers not running any more are forgotten. */
  async running(): Promise<RunningContainer[]> {
    if (!this.cri) return [];
    const listed = await this.cri.call<{ containers: { id: string }[] }>('ListContainers', { filter: { state: { state: 'CONTAINER_RUNNING' } } });
    const ids = new Set(listed.containers.map((c) => c.id));
    for (const id of this.known.keys()) if (!ids.has(id)) this.known.delete(id);
    for (const id of this.warned) if (!ids.has(id)) this.warned.delete(id);
    const all = await Promise.all([...ids].map((id) => this.container(id)));
    const running = all.filter((c): c is RunningContainer => c !== null && c.pid > 0);
    this.byPid = new Map(running.map((c) => [c.pid, c]));
    return running;
  }

  /** The running container whose init process has this pid (from the last listing). */
  byInitPid(pid: number): RunningContainer | undefined {
    return this.byPid.get(pid);
  }

  private container(id: string): Promise<RunningContainer | null> {
    let entry = this.known.get(id);
    if (!entry) {
      entry = this.resolve(id);
      this.known.set(id, entry);
      // A failed answer is not kept: the next access asks again.
      entry.then(
        (c) => {
          if (c === null) this.known.delete(id);
        },
        () => this.known.delete(id),
      );
    }
    return entry.catch(() => null);
  }

  private async resolve(id: string): Promise<RunningContainer | null> {
    const cri = this.cri!;
    try {
      const { status, info } = await cri.call<ContainerStatusResponse>('ContainerStatus', { containerId: id, verbose: true }, this.lookupTimeoutMs);
      const verbose = JSON.parse(info?.info ?? '{}') as { sandboxID?: string; pid?: number };
      const sandboxId = verbose.sandboxID ?? (await this.sandboxOf(id));
      const sandbox = sandboxId ? await this.sandbox(sandboxId) : undefined;
      const labels = status?.labels ?? {};
      const pod: PodInfo = {
        namespace: sandbox?.metadata?.namespace ?? labels['io.kubernetes.pod.namespace'] ?? '',
        name: sandbox?.metadata?.name ?? labels['io.kubernetes.pod.name'] ?? '',
        uid: sandbox?.metadata?.uid ?? labels['io.kubernetes.pod.uid'] ?? '',
        labels: podLabels(sandbox?.labels),
        container: { id, name: status?.metadata?.name ?? '', image: status?.image?.image || status?.imageRef || '' },
      };
      return { pod, pid: verbose.pid ?? 0 };
    } catch (err) {
      // The pod's own sandbox ("pause") process: the runtime knows its id as a sandbox only.
      if (err instanceof CriError && err.notFound) return this.sandboxItself(id);
      if (!this.warned.has(id) && this.warned.size < 1000) {
        this.warned.add(id);
        this.log.warn({ containerId: id, err: (err as Error).message }, 'the container runtime could not say which pod this container is in');
      }
      throw err;
    }
  }

  private async sandboxOf(containerId: string): Promise<string | undefined> {
    const listed = await this.cri!.call<{ containers: { podSandboxId: string }[] }>('ListContainers', { filter: { id: containerId } }, this.lookupTimeoutMs);
    return listed.containers[0]?.podSandboxId;
  }

  private async sandbox(id: string): Promise<SandboxStatusResponse['status']> {
    return (await this.cri!.call<SandboxStatusResponse>('PodSandboxStatus', { podSandboxId: id }, this.lookupTimeoutMs)).status;
  }

  private async sandboxItself(id: string): Promise<RunningContainer | null> {
    const sandbox = await this.sandbox(id).catch(() => undefined);
    if (!sandbox?.metadata) return null;
    const { namespace = '', name = '', uid = '' } = sandbox.metadata;
    return { pod: { namespace, name, uid, labels: podLabels(sandbox.labels), container: { id, name: '', image: '' } }, pid: 0 };
  }
}
