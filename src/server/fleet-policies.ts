/**
 * Central policies: TracingPolicy documents kept on the server, each with a target (every agent,
 * agents by name, agents by label), handed to the agents they target. An agent asks with the
 * version it holds and waits (long poll) until the set moves past it, so a change reaches agents
 * within a moment and an unchanged set costs one idle request per wait.
 */
import { EventEmitter } from 'node:events';
import { parseAllDocuments } from 'yaml';
import { ValidationError } from '../core/errors.js';
import { policySetDigest } from '../core/policy-set-digest.js';
import { loadPolicyText, policyKey } from '../policy/index.js';
import type { Agent, AgentRepository } from '../store/repositories/agents.js';
import { FleetPolicyRepository, targets, type FleetPolicy, type PolicyTarget } from '../store/repositories/fleet-policies.js';
import type { Db } from '../store/db.js';

/** How an agent names a central policy in its reports: the "file" it was loaded from. */
export const CENTRAL_POLICY_FILE_PREFIX = 'server:';

/** Longest a policy fetch is held open waiting for a change. */
export const MAX_POLICY_WAIT_MS = 30_000;
/** Other servers sharing the store change the set too; a waiting fetch looks this often. */
const STORE_POLL_MS = 1_000;

export interface AgentPolicyStatus {
  agentId: string;
  agent: string;
  node: string;
  /** loaded: in the agent's last heartbeat; error: it could not load it (see errors); pending: not reported yet. */
  state: 'loaded' | 'error' | 'pending';
  errors: string[];
}

export interface FleetPolicyView extends FleetPolicy {
  agents: AgentPolicyStatus[];
}

export interface PolicySetForAgent {
  version: number;
  /** True when the wait ended with nothing past the version asked about. */
  unchanged: boolean;
  policies: { name: string; document: string }[];
}

/** The status an agent reports for one central policy, from its last heartbeat. */
function statusOf(agent: Agent, name: string): AgentPolicyStatus {
  const reports = agent.policies.filter((p) => p.file === `${CENTRAL_POLICY_FILE_PREFIX}${name}`);
  const errors = reports.flatMap((r) => r.errors);
  const state = reports.length === 0 ? 'pending' : reports.every((r) => r.ok) && errors.length === 0 ? 'loaded' : 'error';
  return { agentId: agent.id, agent: agent.name, node: agent.enrolledNode, state, errors };
}

/** Splits a YAML text into its policies, each checked as the agent will check it; any error refuses the whole apply. */
export function splitPolicies(file: string, text: string): { name: string; document: string }[] {
  const checked = loadPolicyText(file, text);
  if (checked.errors.length > 0) {
    throw new ValidationError(`${file}: not a valid policy:\n${checked.errors.map((e) => e.format()).join('\n')}`, {
      field: 'document',
      errors: checked.errors.map((e) => e.format()),
    });
  }
  if (checked.policies.length === 0) throw new ValidationError(`${file}: holds no TracingPolicy`, { field: 'document' });
  const documents = parseAllDocuments(text);
  const out: { name: string; document: string }[] = [];
  for (const doc of Array.isArray(documents) ? documents : []) {
    const single = doc.toString();
    const loaded = loadPolicyText(file, single);
    for (const policy of loaded.policies) out.push({ name: policyKey(policy), document: single });
  }
  return out;
}

export class FleetPolicyService {
  readonly repository: FleetPolicyRepository;
  private readonly changes = new EventEmitter();
  /** Ends every waiting fetch at shutdown, so a long poll never holds the server's close. */
  private readonly closing = new AbortController();

  constructor(
    db: Db,
    private readonly agents: AgentRepository,
  ) {
    this.repository = new FleetPolicyRepository(db);
    this.changes.setMaxListeners(0);
  }

  async apply(file: string, text: string, target: PolicyTarget): Promise<{ version: number; applied: string[] }> {
    const policies = splitPolicies(file, text);
    const version = await this.repository.apply(policies.map((p) => ({ ...p, target })));
    this.changes.emit('change');
    return { version, applied: policies.map((p) => p.name) };
  }

  async delete(name: string): Promise<void> {
    await this.repository.delete(name);
    this.changes.emit('change');
  }

  /** Every policy with the status each agent it targets reports for it. */
  async list(): Promise<{ version: number; items: FleetPolicyView[] }> {
    const [version, policies, agents] = await Promise.all([this.repository.version(), this.repository.list(), this.agents.list()]);
    return {
      version,
      items: policies.map((policy) => ({ ...policy, agents: agents.filter((a) => targets(policy.target, a)).map((a) => statusOf(a, policy.name)) })),
    };
  }

  close(): void {
    this.closing.abort();
  }

  /** Tells waiting fetches to look again: an agent's labels changed, and with them what targets it. */
  touch(): void {
    this.changes.emit('change');
  }

  /**
   * The policies for this agent once they differ from what it holds (`after`, the version it
   * fetched, and `digest`, policySetDigest of its set), waiting up to `waitMs` for that. The
   * digest catches a change of labels, which moves no version. Changes on this server wake the
   * wait at once; other servers' are seen by polling the store.
   */
  async forAgent(agentId: string, after: number, digest: string | undefined, waitMs: number, hangUp?: AbortSignal): Promise<PolicySetForAgent> {
    const signal = hangUp ? AbortSignal.any([hangUp, this.closing.signal]) : this.closing.signal;
    const deadline = Date.now() + Math.min(waitMs, MAX_POLICY_WAIT_MS);
    for (;;) {
      const version = await this.repository.version();
      const agent = await this.agents.find(agentId);
      const policies = agent ? (await this.repository.list()).filter((p) => targets(p.target, agent)).map((p) => ({ name: p.name, document: p.document })) : [];
      const same = version === after && (digest === undefined || digest === policySetDigest(policies));
      if (!same || Date.now() >= deadline || signal?.aborted) return { version, unchanged: same, policies };
      await this.changed(Math.min(STORE_POLL_MS, deadline - Date.now()), signal);
    }
  }

  private changed(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.changes.off('change', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.changes.once('change', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
