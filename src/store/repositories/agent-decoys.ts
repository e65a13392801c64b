import type { Kysely, Selectable } from 'kysely';
import { isoNow } from '../../core/time.js';
import type { AgentDecoysTable, Database } from '../schema.js';

/**
 * 'watched'; 'missing': reported but no longer there; 'withdrawn': its policy (or, for a container
 * copy, its container) went, on purpose; 'unplanted': a container copy the agent could not plant
 * (a read-only root, a failure it retries), so never there to go missing.
 */
export type DecoyState = 'watched' | 'missing' | 'withdrawn' | 'unplanted';

/** Where a container decoy copy is planted. */
export interface DecoyPlace {
  /** Container id. */
  id: string;
  name: string;
  /** "namespace/name". */
  pod: string;
  /** The ContainerDecoy this is a copy of. */
  decoy: string;
}

export interface AgentDecoy {
  agentId: string;
  path: string;
  tokenId: string | null;
  inode: string | null;
  /** The container id of a container decoy copy; null on the host. */
  container: string | null;
  /** The copy's pod ("namespace/name"), container name and decoy; null on the host. */
  pod: string | null;
  containerName: string | null;
  decoy: string | null;
  state: DecoyState;
  error: string | null;
  firstSeenAt: string;
  lastVerifiedAt: string | null;
  updatedAt: string;
}

/** One decoy as an agent's heartbeat reports it; `container` for a copy inside a container. */
export interface ReportedDecoy {
  path: string;
  tokenId: string | null;
  inode?: string;
  container?: DecoyPlace;
  ok: boolean;
  error?: string;
}

function fromRow(row: Selectable<AgentDecoysTable>): AgentDecoy {
  return {
    agentId: row.agent_id,
    path: row.path,
    tokenId: row.token_id,
    inode: row.inode,
    container: row.container || null,
    pod: row.pod,
    containerName: row.container_name,
    decoy: row.decoy,
    state: row.state as DecoyState,
    error: row.error,
    firstSeenAt: row.first_seen_at,
    lastVerifiedAt: row.last_verified_at,
    updatedAt: row.updated_at,
  };
}

const keyOf = (container: string | null | undefined, path: string): string => `${container ?? ''}\0${path}`;

/** Every decoy agents reported planted, and what became of each. */
export class AgentDecoyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(filter: { tokenId?: string; agentId?: string } = {}): Promise<AgentDecoy[]> {
    let query = this.db.selectFrom('agent_decoys').selectAll();
    if (filter.tokenId !== undefined) query = query.where('token_id', '=', filter.tokenId);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    const rows = await query.orderBy('agent_id').orderBy('container').orderBy('path').execute();
    return rows.map(fromRow);
  }

  /**
   * Takes an agent's report of its decoys. A decoy reported watched is verified now; one reported
   * but not watched (deleted, unreadable) is missing, unless it is a container copy never planted
   * (unplanted); one no longer reported at all had its policy or container removed, so it is
   * withdrawn. `containers`: whether the report covers container copies (an agent without
   * container support sends none, which withdraws nothing of theirs). Returns the decoys that went
   * from watched to missing by this report: each is told once, however many reports repeat it.
   */
  async sync(agentId: string, reported: ReportedDecoy[], { containers = true } = {}, now = isoNow()): Promise<AgentDecoy[]> {
    return this.db.transaction().execute(async (trx) => {
      const before = new Map(
        (await trx.selectFrom('agent_decoys').selectAll().where('agent_id', '=', agentId).execute()).map(
          (r) => [keyOf(r.container, r.path), fromRow(r)] as const,
        ),
      );
      const lost: AgentDecoy[] = [];
      const seen = new Set<string>();
      for (const decoy of reported) {
        const key = keyOf(decoy.container?.id, decoy.path);
        if (seen.has(key)) continue;
        seen.add(key);
        const previous = before.get(key);
        const wasThere = previous?.state === 'watched' || previous?.state === 'missing';
        const state: DecoyState = decoy.ok ? 'watched' : decoy.container && !wasThere ? 'unplanted' : 'missing';
        const values = {
          token_id: decoy.tokenId,
          inode: decoy.inode ?? previous?.inode ?? null,
          pod: decoy.container?.pod ?? null,
          container_name: decoy.container?.name ?? null,
          decoy: decoy.container?.decoy ?? null,
          state,
          error: decoy.ok ? null : (decoy.error ?? null),
          last_verified_at: decoy.ok ? now : (previous?.lastVerifiedAt ?? null),
          updated_at: now,
        };
        await trx
          .insertInto('agent_decoys')
          .values({ agent_id: agentId, container: decoy.container?.id ?? '', path: decoy.path, first_seen_at: now, ...values })
          .onConflict((oc) => oc.columns(['agent_id', 'container', 'path']).doUpdateSet(values))
          .execute();
        if (state === 'missing' && previous?.state === 'watched')
          lost.push({ ...previous, tokenId: decoy.tokenId, state, error: values.error, updatedAt: now });
      }
      // One statement per container (the host being one), not one per decoy.
      const withdrawn = new Map<string, string[]>();
      for (const [key, d] of before) {
        if (seen.has(key) || d.state === 'withdrawn' || (!containers && d.container !== null)) continue;
        const paths = withdrawn.get(d.container ?? '') ?? [];
        paths.push(d.path);
        withdrawn.set(d.container ?? '', paths);
      }
      for (const [container, paths] of withdrawn) {
        await trx
          .updateTable('agent_decoys')
          .set({ state: 'withdrawn', updated_at: now })
          .where('agent_id', '=', agentId)
          .where('container', '=', container)
          .where('path', 'in', paths)
          .execute();
      }
      return lost;
    });
  }
}
