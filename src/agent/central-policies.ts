/**
 * The policies the server hands this agent (`tripline policy apply`): fetched by long poll with the
 * version the agent holds, so an unchanged set is never sent again, and a change arrives within a
 * moment. The last set is kept in --state-dir, so after a restart with the server unreachable the
 * agent goes on enforcing it.
 */
import { EventEmitter } from 'node:events';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../core/backoff.js';
import { policySetDigest } from '../core/policy-set-digest.js';
import { loadPolicyText, type LoadResult } from '../policy/index.js';
import type { AgentApi } from './report/agent-api.js';

/** How a central policy is named in reports and errors: the "file" it was loaded from. */
export const CENTRAL_FILE_PREFIX = 'server:';
/** Seconds the server may hold a fetch waiting for a change. */
const WAIT_SECONDS = 25;

interface PolicySetState {
  version: number;
  policies: { name: string; document: string }[];
}

export class CentralPolicies extends EventEmitter<{ change: [] }> {
  private state: PolicySetState = { version: 0, policies: [] };
  private loaded: LoadResult[] = [];
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private readonly file: string;

  constructor(
    private readonly api: AgentApi,
    stateDir: string,
    private readonly log: Logger,
  ) {
    super();
    this.file = join(stateDir, 'policies.json');
  }

  /** Loads the set kept on disk (if any), then follows the server. */
  async start(): Promise<void> {
    const kept = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT')
        this.log.error({ file: this.file, reason: err.code ?? err.message }, 'cannot read the kept central policies; starting without them');
      return null;
    });
    if (kept !== null) {
      try {
        this.adopt(JSON.parse(kept) as PolicySetState);
        this.log.info({ version: this.state.version, policies: this.state.policies.map((p) => p.name) }, 'central policies loaded from the state directory');
      } catch (err) {
        this.log.error({ file: this.file, err }, 'the kept central policies are not readable; starting without them');
      }
    }
    this.running = this.follow();
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** What each central policy loaded to, named `server:NAME`. */
  get results(): LoadResult[] {
    return this.loaded;
  }

  private adopt(state: PolicySetState): void {
    this.state = state;
    this.loaded = state.policies.map((p) => loadPolicyText(`${CENTRAL_FILE_PREFIX}${p.name}`, p.document));
  }

  private async follow(): Promise<void> {
    const backoff = new Backoff(500, 30_000);
    let failing = false;
    while (!this.stopping.signal.aborted) {
      try {
        const answer = await this.api.get<PolicySetState & { unchanged: boolean }>(
          `/agents/policies?after=${this.state.version}&digest=${policySetDigest(this.state.policies)}&wait=${WAIT_SECONDS}`,
          (WAIT_SECONDS + 10) * 1000,
          this.stopping.signal,
        );
        if (failing) this.log.info({ version: answer.version }, 'fetching central policies works again');
        failing = false;
        backoff.reset();
        if (!answer.unchanged) await this.update({ version: answer.version, policies: answer.policies });
      } catch (err) {
        if (this.stopping.signal.aborted) return;
        if (!failing) this.log.warn({ reason: (err as Error).message }, 'cannot fetch central policies; enforcing the last set and trying again');
        failing = true;
        await sleep(backoff.next(), this.stopping.signal);
      }
    }
  }

  private async update(state: PolicySetState): Promise<void> {
    const same = JSON.stringify(state.policies) === JSON.stringify(this.state.policies);
    await this.keep(state);
    if (same) {
      this.state = state;
      return;
    }
    this.adopt(state);
    this.log.info({ version: state.version, policies: state.policies.map((p) => p.name) }, 'central policies changed');
    this.emit('change');
  }

  /** Written whole to a temporary file, synced, renamed: a crash leaves the old set or the new one. */
  private async keep(state: PolicySetState): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
    const dir = await open(dirname(this.file), 'r');
    await dir.sync().finally(() => dir.close());
  }
}
