import type { Kysely, Selectable } from 'kysely';
import { isoNow } from '../../core/time.js';
import type { AgentDecoysTable, Database } from '../schema.js';

/** 'watched'; 'missing': reported but no longer there; 'withdrawn': its policy went, on purpose. */
export type DecoyState = 'watched' | 'missing' | 'withdrawn';

export interface AgentDecoy {
  agentId: string;
  path: string;
  tokenId: string | null;
  inode: string | null;
  container: string | null;
  state: DecoyState;
  error: string | null;
  firstSeenAt: string;
  lastVerifiedAt: string | null;
  updatedAt: string;
}

/** One decoy as an agent's heartbeat reports it. */
export interface ReportedDecoy {
  path: string;
  tokenId: string | null;
  inode?: string;
  container?: string;
  ok: boolean;
  error?: string;
}

function fromRow(row: Selectable<AgentDecoysTable>): AgentDecoy {
  return {
    agentId: row.agent_id,
    path: row.path,
    tokenId: row.token_id,
    inode: row.inode,
    container: row.container,
    state: row.state as DecoyState,
    error: row.error,
    firstSeenAt: row.first_seen_at,
    lastVerifiedAt: row.last_verified_at,
    updatedAt: row.updated_at,
  };
}

/** Every decoy agents reported planted, and what became of each. */
export class AgentDecoyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(filter: { tokenId?: string; agentId?: string } = {}): Promise<AgentDecoy[]> {
    let query = this.db.selectFrom('agent_decoys').selectAll();
    if (filter.tokenId !== undefined) query = query.where('token_id', '=', filter.tokenId);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    const rows = await query.orderBy('agent_id').orderBy('path').execute();
    return rows.map(fromRow);
  }

  /**
   * Takes an agent's report of its decoys. A decoy reported watched is verified now; one reported
   * but not watched (deleted, unreadable) is missing; one no longer reported at all had its policy
   * removed, so it is withdrawn. Returns the decoys that went from watched to missing by this
   * report: each is told once, however many reports repeat it.
   */
  async sync(agentId: string, reported: ReportedDecoy[], now = isoNow()): Promise<AgentDecoy[]> {
    return this.db.transaction().execute(async (trx) => {
      const before = new Map(
        (await trx.selectFrom('agent_decoys').selectAll().where('agent_id', '=', agentId).execute()).map((r) => [r.path, fromRow(r)] as const),
      );
      const lost: AgentDecoy[] = [];
      const seen = new Set<string>();
      for (const decoy of reported) {
        if (seen.has(decoy.path)) continue;
        seen.add(decoy.path);
        const previous = before.get(decoy.path);
        const state: DecoyState = decoy.ok ? 'watched' : 'missing';
        const values = {
          token_id: decoy.tokenId,
          inode: decoy.inode ?? previous?.inode ?? null,
          container: decoy.container ?? previous?.container ?? null,
          state,
          error: decoy.ok ? null : (decoy.error ?? null),
          last_verified_at: decoy.ok ? now : (previous?.lastVerifiedAt ?? null),
          updated_at: now,
        };
        await trx
          .insertInto('agent_decoys')
          .values({ agent_id: agentId, path: decoy.path, first_seen_at: now, ...values })
          .onConflict((oc) => oc.columns(['agent_id', 'path']).doUpdateSet(values))
          .execute();
        if (state === 'missing' && previous?.state === 'watched')
          lost.push({ ...previous, ...decoy, state, error: values.error, updatedAt: now } as AgentDecoy);
      }
      const withdrawn = [...before.values()].filter((d) => !seen.has(d.path) && d.state !== 'withdrawn').map((d) => d.path);
      if (withdrawn.length > 0) {
        await trx
          .updateTable('agent_decoys')
          .set({ state: 'withdrawn', updated_at: now })
          .where('agent_id', '=', agentId)
          .where('path', 'in', withdrawn)
          .execute();
      }
      return lost;
    });
  }
}
