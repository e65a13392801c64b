/**
 * Which token each loaded policy reports for: its tripline/token label. A policy without one is
 * exported and runs its actions, but its matches are never reported to the server as hits; that
 * is said once per policy, when a server is configured.
 */
import type { Logger } from 'pino';
import { policyKey, TOKEN_LABEL, type CompiledPolicy, type Match } from '../policy/index.js';

export class TokenLabels {
  private tokens = new Map<string, string | null>();
  private readonly unlabeled = new Set<string>();

  constructor(
    private readonly log: Logger,
    /** Whether matches are reported at all (a server is configured). */
    private readonly reporting: boolean,
  ) {}

  /** After the policies changed. */
  update(policies: readonly CompiledPolicy[]): void {
    this.tokens = new Map(policies.map((p) => [policyKey(p), p.labels[TOKEN_LABEL] ?? null]));
    for (const policy of policies) this.noteUnlabeled(policy);
  }

  /** The token a match reports for, or null. */
  tokenOf(match: Match): string | null {
    return this.tokens.get(policyKey({ name: match.policy, namespace: match.namespace })) ?? null;
  }

  private noteUnlabeled(policy: CompiledPolicy): void {
    if (!this.reporting || policy.labels[TOKEN_LABEL] || this.unlabeled.has(policyKey(policy))) return;
    this.unlabeled.add(policyKey(policy));
    this.log.info(
      { policy: policy.name, file: policy.file },
      `policy has no ${TOKEN_LABEL} label: its matches are exported and its actions run, but they are not reported to the server as hits`,
    );
  }
}
