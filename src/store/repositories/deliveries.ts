import { sql, type Kysely, type Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../../core/errors.js';
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

/**
 * Delivery rows as the API reads them, and retrying a dead one. Writing, claiming and settling
 * rows is the Outbox's (src/store/outbox.ts).
 */
export class DeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

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
    const rows = await this.db.selectFrom('deliveries').selectAll().where('alert_id', 'in', alertIds).orderBy('created_at').orderBy('id').execute();
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
}
