import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { isoNow } from '../../core/time.js';
import type { Database, FleetPoliciesTable } from '../schema.js';

/** Which agents a central policy is for: by name, by labels (all must match), or every agent when both are empty. */
export interface PolicyTarget {
  agents: string[];
  labels: Record<string, string>;
}

export interface FleetPolicy {
  name: string;
  /** The TracingPolicy YAML document as applied. */
  document: string;
  target: PolicyTarget;
  /** The policy set's version when this policy last changed. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

function fromRow(row: Selectable<FleetPoliciesTable>): FleetPolicy {
  return {
    name: row.name,
    document: row.document,
    target: JSON.parse(row.target) as PolicyTarget,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** True when the policy is for the agent with this name and these labels. */
export function targets(target: PolicyTarget, agent: { name: string; labels: Record<string, string> }): boolean {
  const labels = Object.entries(target.labels);
  if (target.agents.length === 0 && labels.length === 0) return true;
  if (target.agents.includes(agent.name)) return true;
  return labels.length > 0 && labels.every(([key, value]) => agent.labels[key] === value);
}

/**
 * Policies the server hands to agents. Every change takes the next version of the whole set, and a
 * deleted policy stays as a row marked deleted, so an agent that asks "anything after version N?"
 * sees a deletion as a change like any other.
 */
export class FleetPolicyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The set's version: 0 before any policy was applied. */
  async version(): Promise<number> {
    const row = await this.db
      .selectFrom('fleet_policies')
      .select((eb) => eb.fn.max('version').as('v'))
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  }

  /** Live policies, by name. */
  async list(): Promise<FleetPolicy[]> {
    const rows = await this.db.selectFrom('fleet_policies').selectAll().where('deleted', '=', 0).orderBy('name').execute();
    return rows.map(fromRow);
  }

  /** Adds or replaces policies, all under one new version. Returns that version. */
  async apply(policies: { name: string; document: string; target: PolicyTarget }[]): Promise<number> {
    return this.change(async (trx, version, now) => {
      for (const p of policies) {
        const values = { document: p.document, target: JSON.stringify(p.target), version, deleted: 0, updated_at: now };
        await trx
          .insertInto('fleet_policies')
          .values({ name: p.name, created_at: now, ...values })
          .onConflict((oc) => oc.column('name').doUpdateSet(values))
          .execute();
      }
    });
  }

  /** Deletes a policy (agents drop it at their next fetch). */
  async delete(name: string): Promise<number> {
    return this.change(async (trx, version, now) => {
      const result = await trx
        .updateTable('fleet_policies')
        .set({ deleted: 1, version, updated_at: now })
        .where('name', '=', name)
        .where('deleted', '=', 0)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('policy', name);
    });
  }

  /**
   * One change under the next version. Two servers changing the set at once would take the same
   * version; the unique index refuses the second, which then tries again with the next one.
   */
  private async change(work: (trx: Kysely<Database>, version: number, now: string) => Promise<void>): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const version = (await new FleetPolicyRepository(trx).version()) + 1;
          await work(trx, version, isoNow());
          return version;
        });
      } catch (error) {
        if (error instanceof NotFoundError || attempt >= 4) throw error;
      }
    }
  }
}
