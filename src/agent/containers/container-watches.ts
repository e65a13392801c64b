/**
 * What the agent watches inside containers, kept in step with the running containers (asked of
 * the CRI about once a second, so a pod that starts later is covered within seconds):
 *
 * - container decoys: a copy planted into every matching container (plant-in-root.ts), watched
 *   by inode from the host, removed when its definition is withdrawn;
 * - TracingPolicies: their paths are the paths a process in the container uses, so each
 *   container a policy applies to has those paths watched through /proc/<pid>/root. A policy that
 *   shares its file with a container decoy watches that decoy's copies only.
 *
 * Every target is a host path /proc/<pid>/root/<path>; containerPath() gives back the path as the
 * container sees it, which is the name policies match on.
 */
import type { Logger } from 'pino';
import type { DecoyCopyReport } from '../../core/agent-protocol.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { DecoyCopy, PodInfo } from '../../core/file-event.js';
import { decoyTargets, mergeTargets, scopeApplies, type CompiledPolicy, type ContainerDecoy, type PolicySet, type WatchTarget } from '../../policy/index.js';
import type { PodDirectory, RunningContainer } from './pod-directory.js';
import { PlantRefused, plantInRoot, removeFromRoot } from './plant-in-root.js';

const ROOT_PATH = /^\/proc\/\d+\/root(\/.*)$/;

/** The path inside the container for a target made here, or null for a host path. */
export function containerPath(hostPath: string): string | null {
  return ROOT_PATH.exec(hostPath)?.[1] ?? null;
}

const rootOf = (pid: number): string => `/proc/${pid}/root`;
const SYNC_MS = 1000;

/** The container init pid whose root a watched path goes through, or null for a host path. */
export function containerRootPid(hostPath: string): number | null {
  const m = /^\/proc\/(\d+)\/root\//.exec(hostPath);
  return m ? Number(m[1]) : null;
}

interface Copy {
  decoy: ContainerDecoy;
  pod: PodInfo;
  pid: number;
  inode: number | null;
  state: DecoyCopyReport['state'];
  error?: string;
}

/** A planted copy as an access sees it: its identity for the hit, its pod (with labels) for policy scopes. */
export interface PlantedCopy {
  copy: DecoyCopy;
  pod: PodInfo;
}

const copyKey = (decoy: ContainerDecoy, containerId: string): string => `${decoy.source}\0${decoy.name}\0${containerId}`;

export class ContainerWatches {
  private copies = new Map<string, Copy>();
  /** Planted copies by the host path they are watched at, for copyAt() on every access. */
  private planted = new Map<string, Copy>();
  private targets: WatchTarget[] = [];
  /** A policy change and the once-a-second timer may both ask; one sync at a time. */
  private readonly ops = new SerialQueue();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pods: PodDirectory,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  /**
   * Follows the running containers once a second (with a CRI socket only), so pods started later
   * get their decoys and watches within seconds; `changed` runs when the targets did.
   */
  start(policies: () => PolicySet, changed: () => Promise<void>): void {
    if (!this.pods.connected) return;
    let busy = false;
    let lastError = '';
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.sync(policies())
        .then((differ) => (differ ? changed() : undefined))
        .then(
          () => {
            if (lastError) this.log.info('the container runtime answers again');
            lastError = '';
          },
          (err: unknown) => {
            // Once per distinct failure, not every second while the runtime is down.
            if ((err as Error).message !== lastError) this.log.warn({ err }, 'syncing containers failed; retrying every second');
            lastError = (err as Error).message;
          },
        )
        .finally(() => {
          busy = false;
        });
    }, SYNC_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The targets from the last sync. */
  watches(): WatchTarget[] {
    return this.targets;
  }

  /** Plants and withdraws copies, and recomputes the targets; true when the targets changed. */
  sync(policies: PolicySet): Promise<boolean> {
    return this.ops.run(() => this.syncNow(policies));
  }

  private async syncNow(policies: PolicySet): Promise<boolean> {
    const running = this.pods.connected ? await this.pods.running() : [];
    await this.syncCopies(policies.decoys, running);
    this.planted = new Map([...this.copies.values()].filter((c) => c.state === 'planted').map((c) => [watchedAt(c), c]));
    const next = mergeTargets(this.containerTargets(policies.policies, running));
    const key = (ts: WatchTarget[]) =>
      ts
        .map((t) => `${t.match}:${t.path}:${t.accesses.join(',')}`)
        .sort()
        .join('\n');
    const changed = key(next) !== key(this.targets);
    this.targets = next;
    return changed;
  }

  reports(): DecoyCopyReport[] {
    return [...this.copies.values()].map((c) => ({
      ...identity(c),
      tokenId: c.decoy.tokenId,
      node: this.nodeName,
      inode: c.inode,
      state: c.state,
      ...(c.error ? { error: c.error } : {}),
    }));
  }

  /**
   * The planted copy behind a watched path (the sensor's decoy path for the accessed inode), so
   * a hit names whose copy was touched whoever touched it. `ino` must still be the planted inode:
   * a file put in the copy's place is not the copy.
   */
  copyAt(watched: string, ino: number): PlantedCopy | null {
    const copy = this.planted.get(watched);
    return copy && copy.inode === ino ? { copy: identity(copy), pod: copy.pod } : null;
  }

  private async syncCopies(decoys: ContainerDecoy[], running: RunningContainer[]): Promise<void> {
    const live = new Map(running.map((r) => [r.pod.container.id, r]));
    const wanted = new Map<string, { decoy: ContainerDecoy; container: RunningContainer }>();
    for (const decoy of decoys) {
      for (const container of running) if (decoyTargets(decoy, container.pod)) wanted.set(copyKey(decoy, container.pod.container.id), { decoy, container });
    }
    for (const [key, copy] of this.copies) {
      if (wanted.has(key) && sameDecoy(wanted.get(key)!.decoy, copy.decoy)) continue;
      this.copies.delete(key);
      // A container that is gone took its copy with it.
      if (!live.has(copy.pod.container.id) || copy.inode === null) continue;
      await removeFromRoot(rootOf(copy.pid), copy.decoy.file.path, copy.inode).then(
        (removed) =>
          this.log.info(
            { decoy: copy.decoy.name, pod: `${copy.pod.namespace}/${copy.pod.name}`, path: copy.decoy.file.path, removed },
            'decoy withdrawn from the container',
          ),
        (err: unknown) => this.log.warn({ decoy: copy.decoy.name, err: (err as Error).message }, 'could not remove a decoy copy'),
      );
    }
    for (const [key, { decoy, container }] of wanted) {
      const existing = this.copies.get(key);
      if (existing && existing.state !== 'failed') continue;
      this.copies.set(key, await this.plant(decoy, container, existing?.error));
    }
  }

  /** `lastError`: why the previous attempt failed, so a failure that repeats is logged once. */
  private async plant(decoy: ContainerDecoy, container: RunningContainer, lastError?: string): Promise<Copy> {
    const { pod, pid } = container;
    const where = { decoy: decoy.name, pod: `${pod.namespace}/${pod.name}`, container: pod.container.name, path: decoy.file.path };
    try {
      const planted = await plantInRoot(rootOf(pid), decoy.file.path, decoy.file.content, decoy.file);
      this.log.info({ ...where, inode: planted.ino, created: planted.created }, 'decoy planted into the container');
      return { decoy, pod, pid, inode: planted.ino, state: 'planted' };
    } catch (err) {
      // A read-only root (readOnlyRootFilesystem) will not change while the container runs.
      const refused = err instanceof PlantRefused || (err as NodeJS.ErrnoException).code === 'EROFS';
      const message = (err as Error).message;
      if (message !== lastError) this.log.warn({ ...where, err: message }, refused ? 'decoy not planted' : 'planting the decoy failed; retrying every second');
      return { decoy, pod, pid, inode: null, state: refused ? 'refused' : 'failed', error: message };
    }
  }

  private containerTargets(policies: readonly CompiledPolicy[], running: RunningContainer[]): WatchTarget[] {
    const decoyFiles = new Set([...this.copies.values()].map((c) => c.decoy.source));
    const out: WatchTarget[] = [];
    for (const copy of this.copies.values()) {
      if (copy.state !== 'planted') continue;
      const accesses = policies.filter((p) => p.file === copy.decoy.source).flatMap((p) => p.accesses);
      if (accesses.length > 0) out.push({ match: 'exact', path: watchedAt(copy), accesses: [...new Set(accesses)] });
    }
    for (const policy of policies) {
      if (decoyFiles.has(policy.file)) continue;
      for (const { pod, pid } of running) {
        if (!scopeApplies(policy.scope, pod)) continue;
        for (const t of policy.watches) out.push({ ...t, path: `${rootOf(pid)}${t.path}` });
      }
    }
    return out;
  }
}

const watchedAt = (c: Copy): string => `${rootOf(c.pid)}${c.decoy.file.path}`;

function identity(c: Copy): DecoyCopy {
  return {
    decoy: c.decoy.name,
    pod: { namespace: c.pod.namespace, name: c.pod.name, uid: c.pod.uid },
    container: { id: c.pod.container.id, name: c.pod.container.name },
    path: c.decoy.file.path,
  };
}

function sameDecoy(a: ContainerDecoy, b: ContainerDecoy): boolean {
  return (
    a.file.path === b.file.path && a.file.content === b.file.content && a.file.mode === b.file.mode && a.file.uid === b.file.uid && a.file.gid === b.file.gid
  );
}
