/**
 * The policies the agent enforces: its policy directory and, when it reports to a server, the
 * central policies the server hands it. One policy set over both, the directory's files first: a
 * central policy whose name a host file already uses is an error reported for the central one
 * (file `server:NAME`, field metadata.name), and the host's file keeps working.
 */
import { EventEmitter } from 'node:events';
import { PolicySet } from '../policy/index.js';
import type { PolicyFileReport } from '../core/agent-protocol.js';
import type { CentralPolicies } from './central-policies.js';
import type { PolicyDirectory } from './policy-dir.js';
import { policyReports } from './policy-reports.js';

/** What the daemon needs of its policies, from a directory alone or from a directory and the server. */
export interface PolicySource extends EventEmitter<{ change: [] }> {
  readonly policies: PolicySet;
  reports(): PolicyFileReport[];
  start(): Promise<void>;
  close(): void | Promise<void>;
}

export class PolicySources extends EventEmitter<{ change: [] }> implements PolicySource {
  private set = new PolicySet();
  private reported: PolicyFileReport[] = [];

  constructor(
    private readonly dir: PolicyDirectory,
    private readonly central: CentralPolicies,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.dir.start();
    await this.central.start();
    this.rebuild();
    this.dir.on('change', () => this.rebuild(true));
    this.central.on('change', () => this.rebuild(true));
  }

  async close(): Promise<void> {
    this.dir.close();
    await this.central.close();
  }

  get policies(): PolicySet {
    return this.set;
  }

  reports(): PolicyFileReport[] {
    return this.reported;
  }

  private rebuild(announce = false): void {
    const set = new PolicySet();
    const results = [...this.dir.loadResults, ...this.central.results].map((r) => set.update(r));
    this.set = set;
    this.reported = policyReports(results);
    if (announce) this.emit('change');
  }
}
