/**
 * The policy directory: every policy file in it (listPolicyFiles says which), loaded, checked and kept current
 * while the agent runs. A bad file is logged (file:line:col: field: message) and reported, and
 * contributes nothing; the other files keep working. Changes are picked up from fs.watch, and by
 * a periodic rescan in case a notification is missed (editors that swap files, network mounts).
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { loadPolicyFile, loadPolicyText, PolicySet, type LoadResult } from '../policy/index.js';
import { policySnapshot } from './configmap-dir.js';
import { policyReports } from './policy-reports.js';
import { AgentError } from './errors.js';
import type { PolicyFileReport } from '../core/agent-protocol.js';

interface Known {
  /** Changes whenever the file's content may have: inode, size, times. */
  signature: string;
  /** As loaded, before names clashing with other files are checked. */
  loaded: LoadResult;
}

export interface PolicyDirectoryOptions {
  rescanMs?: number;
  /** Quiet time after a notification before reading, so a file being written is read once. */
  settleMs?: number;
}

export class PolicyDirectory extends EventEmitter<{ change: [] }> {
  private known = new Map<string, Known>();
  private set = new PolicySet();
  private results: LoadResult[] = [];
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private settle: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private followUp: Promise<void> | null = null;
  private readonly rescanMs: number;
  private readonly settleMs: number;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    options: PolicyDirectoryOptions = {},
  ) {
    super();
    this.rescanMs = options.rescanMs ?? 10_000;
    this.settleMs = options.settleMs ?? 50;
  }

  /** Loads the directory once (throws when it cannot be read at all), then follows changes. */
  async start(): Promise<void> {
    const st = await stat(this.dir).catch((err: NodeJS.ErrnoException) => {
      throw new AgentError(`cannot read the policy directory ${this.dir}: ${err.code ?? err.message}`, { dir: this.dir }, err);
    });
    if (!st.isDirectory()) throw new AgentError(`the policy directory ${this.dir} is not a directory`, { dir: this.dir });
    await this.scan();
    this.watcher = watch(this.dir, () => this.requestScan());
    this.watcher.on('error', (err) => this.log.warn({ err, dir: this.dir }, 'watching the policy directory failed; relying on the periodic rescan'));
    this.timer = setInterval(() => this.requestScan(), this.rescanMs);
    this.timer.unref();
  }

  close(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.settle) clearTimeout(this.settle);
  }

  get policies(): PolicySet {
    return this.set;
  }

  /** One entry per policy loaded, and one (name null) per file that loaded none. */
  reports(): PolicyFileReport[] {
    return policyReports(this.results);
  }

  /** What each file loaded to, name clashes between files included. */
  get loadResults(): LoadResult[] {
    return this.results;
  }

  /**
   * Reads the directory now. A scan already under way may have missed the latest change, so
   * another one follows it (one, however many ask meanwhile); this resolves after that one.
   */
  rescan(): Promise<void> {
    if (this.scanning) {
      const next = (): Promise<void> => {
        this.followUp = null;
        return this.rescan();
      };
      this.followUp ??= this.scanning.then(next, next);
      return this.followUp;
    }
    this.scanning = this.scan().finally(() => {
      this.scanning = null;
    });
    return this.scanning;
  }

  private requestScan(): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.rescan().catch((err: unknown) => this.log.error({ err, dir: this.dir }, 'rescanning the policy directory failed'));
    }, this.settleMs);
  }

  private async scan(): Promise<void> {
    const snapshot = await policySnapshot(this.dir).catch((err: NodeJS.ErrnoException) => {
      this.log.error({ dir: this.dir, reason: err.code ?? err.message }, 'cannot read the policy directory; keeping the policies loaded before');
      return null;
    });
    if (!snapshot) return;
    const changed = new Set<string>();
    const next = new Map<string, Known>();
    for (const { name: file, path, stats } of snapshot.entries) {
      // A ConfigMap version's files are new inodes each time: compare what they say instead.
      const text = snapshot.configMap ? await readFile(path, 'utf8').catch(() => null) : null;
      const signature = text === null ? fileSignature(stats) : `sha256:${createHash('sha256').update(text).digest('hex')}`;
      const before = this.known.get(file);
      if (before && before.signature === signature) {
        next.set(file, before);
        continue;
      }
      next.set(file, { signature, loaded: text === null ? await loadPolicyFile(file) : loadPolicyText(file, text) });
      changed.add(file);
    }
    for (const file of this.known.keys()) {
      if (next.has(file)) continue;
      this.log.info({ file }, 'policy file removed; its policies are unloaded');
      changed.add(file);
    }
    this.known = next;
    if (changed.size > 0) this.rebuild(changed);
  }

  /**
   * Builds the policy set from scratch in file-name order, so that when two files define the same
   * policy the earlier name keeps it, whichever was written last; then logs the files that
   * changed, and those whose outcome another file changed (a name clash appearing or going).
   */
  private rebuild(changed: Set<string>): void {
    const previous = new Map(this.results.map((r) => [r.file, problemsOf(r)]));
    this.set = new PolicySet();
    this.results = [...this.known.values()].map((k) => this.set.update(k.loaded));
    for (const result of this.results) {
      const problems = problemsOf(result);
      if (!changed.has(result.file) && previous.get(result.file) === problems) continue;
      this.logResult(result);
    }
    this.emit('change');
  }

  private logResult(result: LoadResult): void {
    for (const warning of result.warnings) this.log.warn({ file: result.file }, warning.format());
    if (result.errors.length > 0) {
      for (const error of result.errors) this.log.error({ file: result.file, line: error.line, field: error.field }, error.format());
      this.log.error({ file: result.file, errors: result.errors.length }, 'policy file not loaded; the other policies keep working');
      return;
    }
    const names = result.policies.map((p) => p.name);
    this.log.info({ file: result.file, policies: names }, `policy file loaded: ${names.join(', ') || 'no policies'}`);
  }
}

function problemsOf(result: LoadResult): string {
  return JSON.stringify([result.policies.map((p) => p.name), result.errors.map((e) => e.format()), result.warnings.map((e) => e.format())]);
}

function fileSignature(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}
