/**
 * Keeps the sensor's marks equal to what the policies name, and remembers every name a watched
 * inode has in the policies' terms. The sensor reports an access with the path the accessor used
 * (a hard link, a bind mount) and the watched path it belongs to; the evaluator gets both, plus
 * the other watched paths of the same inode, so an Equal on the decoy's path matches however the
 * file was reached.
 */
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { WatchReport } from '../core/agent-protocol.js';
import { SerialQueue } from '../core/serial-queue.js';
import { TOKEN_LABEL, type CompiledPolicy, type WatchTarget } from '../policy/index.js';
import type { FanotifySensor } from './sensors/fanotify-sensor.js';
import { resolveTarget, type ResolvedTarget } from './watch-targets.js';
import { containerPath } from './containers/container-watches.js';

export interface TargetStatus {
  ok: boolean;
  error?: string;
  /** The sensor saw the decoy go (its tamper event is the report): see WatchReport. */
  tamperReported?: boolean;
}

const targetKey = (t: WatchTarget): string => `${t.match}:${t.path}`;
const namesKey = (byInode: Map<string, string[]>): string => JSON.stringify([...byInode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export class WatchSync {
  /** Last failure per file, so a decoy that stays missing is logged once, not every rescan. */
  private readonly failures = new Map<string, string>();
  private readonly modes = new Map<string, number>();
  private byInode = new Map<string, string[]>();
  private resolved = new Map<string, ResolvedTarget>();
  private readonly ops = new SerialQueue();

  constructor(
    private readonly sensor: FanotifySensor,
    private readonly log: Logger,
  ) {}

  /** Marks what is new, unmarks what no policy names any more; one sync at a time. */
  apply(targets: WatchTarget[]): Promise<void> {
    return this.ops.run(() => this.sync(targets));
  }

  /** Names of the accessed inode in the policies' terms, for evaluate(). */
  names(decoy: string, dev: number, ino: number): string[] {
    const names = [decoy, ...(this.byInode.get(`${dev}:${ino}`) ?? [])];
    // A file watched inside a container is named, for policies, by its path in the container.
    return [...names, ...names.map(containerPath).filter((p): p is string => p !== null)];
  }

  /** Mode of a watched file when it was marked (for the export's permission string). */
  mode(decoy: string): number | undefined {
    return this.modes.get(decoy);
  }

  /** For the heartbeat: each watched path once per token that watches it, with its status. */
  reports(policies: readonly CompiledPolicy[]): WatchReport[] {
    const watched = new Map<string, WatchReport>();
    for (const policy of policies) {
      const tokenId = policy.labels[TOKEN_LABEL] ?? null;
      for (const target of policy.watches) {
        const status = this.status(target);
        const inode = status.ok ? this.inodeOf(target.path) : undefined;
        watched.set(`${target.path}\0${tokenId}`, { path: target.path, tokenId, ...status, ...(inode ? { inode } : {}) });
      }
    }
    return [...watched.values()];
  }

  /** "dev:ino" of a watched path, for the server's decoy inventory. */
  private inodeOf(path: string): string | undefined {
    for (const [inode, paths] of this.byInode) if (paths.includes(path)) return inode;
    return undefined;
  }

  status(target: WatchTarget): TargetStatus {
    const resolved = this.resolved.get(targetKey(target));
    if (!resolved) return { ok: false, error: 'not resolved yet' };
    const failed = resolved.files.map((f) => this.failures.get(f)).find((e) => e !== undefined);
    // The sensor keeps watching a deleted decoy's name, to mark whatever appears there next.
    const watched = this.sensor.watched().filter((w) => resolved.files.includes(w.path));
    const unreachable = watched.find((w) => w.unreachable !== undefined);
    const gone = watched.find((w) => w.ino === 0);
    const error =
      resolved.error ??
      failed ??
      (unreachable ? `decoy no longer reachable at ${unreachable.path}: ${unreachable.unreachable}` : undefined) ??
      (gone ? `${gone.path} is gone (deleted or renamed away); watching for it to come back` : undefined) ??
      (resolved.files.length === 0 ? 'no file matches the prefix yet' : undefined);
    if (error === undefined) return { ok: true };
    const seen = resolved.error === undefined && failed === undefined && (unreachable !== undefined || gone !== undefined);
    return seen ? { ok: false, error, tamperReported: true } : { ok: false, error };
  }

  private async sync(targets: WatchTarget[]): Promise<void> {
    const resolved = await Promise.all(targets.map((t) => resolveTarget(t)));
    this.resolved = new Map(resolved.map((r) => [targetKey(r.target), r]));
    const desired = new Set(resolved.flatMap((r) => r.files));
    const current = new Set(this.sensor.watched().map((w) => w.path));
    for (const path of current) {
      if (desired.has(path)) continue;
      await this.sensor.unwatch(path);
      this.modes.delete(path);
      this.log.info({ path }, 'no longer watched');
    }
    for (const path of this.failures.keys()) if (!desired.has(path)) this.failures.delete(path);
    for (const path of desired) {
      if (current.has(path)) continue;
      await this.watch(path);
    }
    const byInode = new Map<string, string[]>();
    for (const w of this.sensor.watched()) {
      const key = `${w.dev}:${w.ino}`;
      byInode.set(key, [...(byInode.get(key) ?? []), w.path]);
    }
    // Another name for a watched inode may bring another policy's verdict onto it: accesses the
    // addon was told to let through are judged again (AccessRequest.allowRepeats).
    if (namesKey(byInode) !== namesKey(this.byInode)) this.sensor.forgetRepeats();
    this.byInode = byInode;
  }

  private async watch(path: string): Promise<void> {
    try {
      const watched = await this.sensor.watch(path);
      const mode = await stat(path).then(
        (st) => st.mode,
        () => undefined,
      );
      if (mode !== undefined) this.modes.set(path, mode);
      this.failures.delete(path);
      this.log.info(
        { path, dev: watched.dev, ino: watched.ino, blockingWrites: watched.blockingWrites },
        watched.blockingWrites ? 'watching' : 'watching; writes are seen only after they happen on this filesystem',
      );
    } catch (err) {
      const reason = (err as Error).message;
      if (this.failures.get(path) !== reason) this.log.warn({ path, reason }, 'cannot watch; will retry at the next rescan');
      this.failures.set(path, reason);
    }
  }
}
