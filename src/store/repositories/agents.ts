import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { isoNow } from '../../core/time.js';
import type { DecoyCopyReport, Heartbeat, PolicyFileReport, WatchReport } from '../../core/agent-protocol.js';
import type { AgentsTable, Database } from '../schema.js';
import { ApiKeyRepository } from './api-keys.js';

export interface Agent {
  id: string;
  name: string;
  /** The node name fixed at enrolment: the only one its events and heartbeats may claim. */
  enrolledNode: string;
  /** The node it last reported in a heartbeat (always the enrolled one since they are checked). */
  node: string | null;
  version: string | null;
  startedAt: string | null;
  lastSeen: string | null;
  lastHeartbeat: string | null;
  policies: PolicyFileReport[];
  watched: WatchReport[];
  /** Copies of container decoys planted on this node, from the last heartbeat. */
  containerDecoys: DecoyCopyReport[];
  eventsAccepted: number;
  createdAt: string;
  /** Set at enrolment or by `agent label`; central policies target agents by them. */
  labels: Record<string, string>;
  /** The heartbeat interval the agent reports (ms); null until it reports one. */
  heartbeatMs: number | null;
  liveness: AgentLiveness;
  /** When it last went silent or stopped. */
  livenessAt: string | null;
  /** Its last heartbeat said it was stopping. */
  stopping: boolean;
}

/** 'unknown' until the first heartbeat; 'silent' once it missed its heartbeats; 'stopped' when it said so. */
export type AgentLiveness = 'unknown' | 'alive' | 'silent' | 'stopped';

function agentFromRow(row: Selectable<AgentsTable>): Agent {
  return {
    id: row.id,
    name: row.name,
    enrolledNode: row.enrolled_node,
    node: row.node,
    version: row.version,
    startedAt: row.started_at,
    lastSeen: row.last_seen_at,
    lastHeartbeat: row.last_heartbeat_at,
    policies: JSON.parse(row.policies) as PolicyFileReport[],
    watched: JSON.parse(row.watched) as WatchReport[],
    containerDecoys: JSON.parse(row.container_decoys) as DecoyCopyReport[],
    eventsAccepted: Number(row.events_accepted),
    createdAt: row.created_at,
    labels: JSON.parse(row.labels) as Record<string, string>,
    heartbeatMs: row.heartbeat_ms === null ? null : Number(row.heartbeat_ms),
    liveness: row.liveness as AgentLiveness,
    livenessAt: row.liveness_at,
    stopping: Number(row.stopping) === 1,
  };
}

function emptyRow(id: string, name: string, node: string, createdAt: string, labels: Record<string, string> = {}): Selectable<AgentsTable> {
  return {
    id,
    name,
    enrolled_node: node,
    node: null,
    version: null,
    started_at: null,
    last_seen_at: null,
    last_heartbeat_at: null,
    policies: '[]',
    watched: '[]',
    container_decoys: '[]',
    events_accepted: 0,
    created_at: createdAt,
    labels: JSON.stringify(labels),
    heartbeat_ms: null,
    liveness: 'unknown',
    liveness_at: null,
    stopping: 0,
  };
}

/** Enrolled agents. An agent and its API key are created and revoked together. */
export class AgentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Creates the agent and its key in one transaction; the key is returned in clear text once.
   * `node` is the node name its reports must carry (the agent's --node-name); default the name.
   */
  async enroll(name: string, node = name, labels: Record<string, string> = {}): Promise<{ agent: Agent; key: string }> {
    return this.db.transaction().execute(async (trx) => {
      const { key, record } = await new ApiKeyRepository(trx).create(name, 'agent');
      const row = emptyRow(record.id, name, node, record.createdAt, labels);
      await trx.insertInto('agents').values(row).execute();
      return { agent: agentFromRow(row), key };
    });
  }

  async find(id: string): Promise<Agent | undefined> {
    const row = await this.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? agentFromRow(row) : undefined;
  }

  /** Every agent, oldest first: a fleet is tens or hundreds of hosts, not worth paging. */
  async list(): Promise<Agent[]> {
    const rows = await this.db.selectFrom('agents').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(agentFromRow);
  }

  /**
   * The agent a key speaks for. A key made outside enroll() (by hand in the store, or before
   * agents had rows) gets its row on first contact, its node pinned to the key's name.
   */
  async forKey(id: string, name: string): Promise<Agent> {
    const found = await this.find(id);
    if (found) return found;
    await this.ensure(id, name);
    const agent = await this.find(id);
    // Revoked between the key check and here: the key no longer names an agent.
    if (!agent) throw new NotFoundError('agent', id);
    return agent;
  }

  /** Stores what the agent reported. `name` names a row created for a key enrolled without one. */
  async recordHeartbeat(id: string, heartbeat: Heartbeat, at = isoNow(), name = 'agent'): Promise<void> {
    await this.ensure(id, name);
    await this.db
      .updateTable('agents')
      .set({
        ...(heartbeat.intervalMs === undefined ? {} : { heartbeat_ms: heartbeat.intervalMs }),
        stopping: heartbeat.stopping ? 1 : 0,
        node: heartbeat.node,
        version: heartbeat.version,
        started_at: heartbeat.startedAt,
        last_seen_at: at,
        last_heartbeat_at: at,
        policies: JSON.stringify(heartbeat.policies),
        watched: JSON.stringify(heartbeat.watched),
        container_decoys: JSON.stringify(heartbeat.containerDecoys ?? []),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Notes contact from the agent and counts the events it delivered that became hits. */
  async recordEvents(id: string, accepted: number, at = isoNow(), name = 'agent'): Promise<void> {
    await this.ensure(id, name);
    await this.db
      .updateTable('agents')
      .set((eb) => ({ last_seen_at: at, events_accepted: eb('events_accepted', '+', accepted) }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Every agent key has its row; a key made outside enroll() (by hand in the store, or before
   * agents had rows) gets one on first contact instead of being refused.
   */
  private async ensure(id: string, name: string): Promise<void> {
    const existing = await this.db.selectFrom('agents').select('id').where('id', '=', id).executeTakeFirst();
    if (existing) return;
    await this.db
      .insertInto('agents')
      .values(emptyRow(id, name, name, isoNow()))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Replaces the agent's labels (null values remove one). */
  async setLabels(id: string, changes: Record<string, string | null>): Promise<Agent> {
    const agent = await this.find(id);
    if (!agent) throw new NotFoundError('agent', id);
    const labels = { ...agent.labels };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete labels[key];
      else labels[key] = value;
    }
    await this.db
      .updateTable('agents')
      .set({ labels: JSON.stringify(labels) })
      .where('id', '=', id)
      .execute();
    return { ...agent, labels };
  }

  /**
   * Moves the agent to `to` if it is in one of `from` (and, for 'silent', has sent no heartbeat
   * since `heardBefore`). True when this call made the change: on several servers sharing one
   * store, exactly one of them sees true, and only that one raises the alert.
   */
  async changeLiveness(id: string, from: AgentLiveness[], to: AgentLiveness, at: string, heardBefore?: string): Promise<boolean> {
    let query = this.db
      .updateTable('agents')
      .set({ liveness: to, ...(to === 'alive' ? {} : { liveness_at: at }) })
      .where('id', '=', id)
      .where('liveness', 'in', from);
    if (heardBefore !== undefined) query = query.where('last_heartbeat_at', '<', heardBefore);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Removes the agent and its key: the key stops working at once. */
  async revoke(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('agent', id);
      await trx.deleteFrom('api_keys').where('id', '=', id).where('role', '=', 'agent').execute();
    });
  }
}
