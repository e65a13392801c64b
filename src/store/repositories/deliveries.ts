import { sql, type Kysely, type Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { StoreDialect } from '../connect.js';
import { plainCommit, type DurableCommit } from '../durable-commit.js';
import { pageNewestFirst, type Page, type PageRequest } from '../paging.js';
import type { Database, DeliveriesTable } from '../schema.js';

export type DeliveryPurpose = 'alert' | 'digest';
export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'dead';
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'sending', 'delivered', 'dead'];

export interface Delivery {
  id: string;
  alertId: string;
  channelId: string;
  channelKind: string;
  purpose: DeliveryPurpose;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string;
  giveUpAt: string;
  claimId: string | null;
  claimedBy: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface NewDelivery {
  id: string;
  alertId: string;
  channelId: string;
  channelKind: string;
  purpose: DeliveryPurpose;
  /** When it is first due: now for an alert, the window's end for a digest. */
  dueAt: string;
  giveUpAt: string;
  createdAt: string;
}

export interface DeliveryFilter extends PageRequest {
  state?: DeliveryState;
  alertId?: string;
}

/** What the sender learnt from one attempt, to be written back under the claim. */
export interface AttemptResult {
  status: number | null;
  error: string | null;
}

export function deliveryFromRow(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: row.id,
    alertId: row.alert_id,
    channelId: row.channel_id,
    channelKind: row.channel_kind,
    purpose: row.purpose as DeliveryPurpose,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    giveUpAt: row.give_up_at,
    claimId: row.claim_id,
    claimedBy: row.claimed_by,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

/** The outbox: delivery rows, claimed by dispatchers and settled after each attempt. */
export class DeliveryRepository {
  private readonly commit: DurableCommit;
  private readonly claimCommit: DurableCommit;

  /**
   * Pass the store's durableCommit for a dispatcher: claims and settlements are written once or
   * twice per alert, and on SQLite a plain commit would stall the event loop on fsync each time.
   * Claims may use the store's unsyncedCommit: a claim lost to a power cut is no worse than one
   * whose claimer died (its lease runs out and the row is sent again), and not waiting for the
   * disk takes a sync off the path from hit to receiver.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StoreDialect,
    commit?: DurableCommit,
    claimCommit?: DurableCommit,
  ) {
    this.commit = commit ?? plainCommit(db);
    this.claimCommit = claimCommit ?? this.commit;
  }

  /** Inserts rows in the caller's transaction (the hit's), so they commit with the hit or not at all. */
  async insertMany(deliveries: NewDelivery[], db: Kysely<Database> = this.db): Promise<void> {
    if (deliveries.length === 0) return;
    await db
      .insertInto('deliveries')
      .values(
        deliveries.map((d) => ({
          id: d.id,
          alert_id: d.alertId,
          channel_id: d.channelId,
          channel_kind: d.channelKind,
          purpose: d.purpose,
          state: 'pending',
          attempts: 0,
          next_attempt_at: d.dueAt,
          give_up_at: d.giveUpAt,
          claim_id: null,
          claimed_by: null,
          last_status: null,
          last_error: null,
          created_at: d.createdAt,
          updated_at: d.createdAt,
          delivered_at: null,
        })),
      )
      // A digest row may already exist when a fold races a close; one per channel is the rule.
      .onConflict((oc) => oc.columns(['alert_id', 'channel_id', 'purpose']).doNothing())
      .execute();
  }

  /**
   * Claims up to `limit` due rows for this process until `leaseUntil`. A row is due when pending
   * and its retry time has come, or when sending and its lease ran out (the claimer died).
   * On PostgreSQL the candidates are locked with SKIP LOCKED, so concurrent dispatchers never
   * claim the same row; SQLite serialises writers, and only one process dispatches there.
   */
  async claim(limit: number, now: string, leaseUntil: string, claimId: string, claimedBy: string): Promise<Delivery[]> {
    if (limit <= 0) return [];
    const rows = await this.claimCommit((trx) =>
      trx
        .updateTable('deliveries')
        .set((eb) => ({
          state: 'sending',
          next_attempt_at: leaseUntil,
          claim_id: claimId,
          claimed_by: claimedBy,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('deliveries')
            .select('id')
            .where('state', 'in', ['pending', 'sending'])
            .where('next_attempt_at', '<=', now)
            .orderBy('next_attempt_at')
            .limit(limit)
            .$if(this.dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
        )
        .returningAll()
        .execute(),
    );
    return rows.map(deliveryFromRow);
  }

  /** Settles a claimed row as delivered. False when the claim had lapsed and was taken over. */
  async markDelivered(id: string, claimId: string, result: AttemptResult, now: string): Promise<boolean> {
    return this.settle(id, claimId, { state: 'delivered', delivered_at: now, last_status: result.status, last_error: null, updated_at: now });
  }

  /** Puts a claimed row back as pending until `nextAttemptAt`, keeping what went wrong. */
  async markRetry(id: string, claimId: string, result: AttemptResult, nextAttemptAt: string, now: string): Promise<boolean> {
    return this.settle(id, claimId, {
      state: 'pending',
      next_attempt_at: nextAttemptAt,
      last_status: result.status,
      last_error: result.error,
      updated_at: now,
    });
  }

  /** Gives a claimed row up: it stays visible as dead until someone retries it. */
  async markDead(id: string, claimId: string, result: AttemptResult, now: string): Promise<boolean> {
    return this.settle(id, claimId, { state: 'dead', last_status: result.status, last_error: result.error, updated_at: now });
  }

  /** Gives every claim this process holds back, due at once (orderly shutdown). */
  async releaseClaims(claimedBy: string, now: string): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ state: 'pending', next_attempt_at: now, claim_id: null, updated_at: now })
      .where('state', '=', 'sending')
      .where('claimed_by', '=', claimedBy)
      .execute();
  }

  /** Sends a dead delivery again from scratch, with a fresh give-up time. */
  async retryDead(id: string, now: string, giveUpAt: string): Promise<Delivery> {
    const result = await this.db
      .updateTable('deliveries')
      .set({ state: 'pending', next_attempt_at: now, give_up_at: giveUpAt, claim_id: null, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'dead')
      .executeTakeFirst();
    const delivery = await this.get(id);
    if (Number(result.numUpdatedRows) === 0) {
      throw new ConflictError(`delivery ${id} is ${delivery.state}; only a dead delivery can be retried`, { id, state: delivery.state });
    }
    return delivery;
  }

  async find(id: string): Promise<Delivery | undefined> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? deliveryFromRow(row) : undefined;
  }

  async get(id: string): Promise<Delivery> {
    const delivery = await this.find(id);
    if (!delivery) throw new NotFoundError('delivery', id);
    return delivery;
  }

  /** Every delivery of these alerts, oldest first. */
  async forAlerts(alertIds: string[]): Promise<Delivery[]> {
    if (alertIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('alert_id', 'in', alertIds)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(deliveryFromRow);
  }

  /** Newest first, paged; optionally by state or alert. */
  async list(filter: DeliveryFilter = {}): Promise<Page<Delivery>> {
    let query = this.db.selectFrom('deliveries').selectAll();
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.alertId) query = query.where('alert_id', '=', filter.alertId);
    return pageNewestFirst(query, 'created_at', filter, deliveryFromRow);
  }

  /** Rows per state that are not yet settled (pending, sending) or need a person (dead). */
  async backlog(): Promise<Record<'pending' | 'sending' | 'dead', number>> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['state', sql<number>`count(*)`.as('n')])
      .where('state', 'in', ['pending', 'sending', 'dead'])
      .groupBy('state')
      .execute();
    const counts = { pending: 0, sending: 0, dead: 0 };
    for (const row of rows) counts[row.state as keyof typeof counts] = Number(row.n);
    return counts;
  }

  private async settle(id: string, claimId: string, values: Partial<Selectable<DeliveriesTable>>): Promise<boolean> {
    const result = await this.commit((trx) =>
      trx
        .updateTable('deliveries')
        .set({ ...values, claim_id: null })
        .where('id', '=', id)
        .where('claim_id', '=', claimId)
        .where('state', '=', 'sending')
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }
}
