import { sql, type Selectable } from 'kysely';
import type { Store } from './connect.js';
import type { Trx } from './db.js';
import type { DurableCommit } from './durable-commit.js';
import type { PgListener } from './pg-listener.js';
import { deliveryFromRow, type AttemptResult, type Delivery, type NewDelivery } from './repositories/deliveries.js';
import type { DeliveriesTable } from './schema.js';

/** PostgreSQL channel a committed transaction with due deliveries notifies, waking every dispatcher. */
export const OUTBOX_NOTIFY_CHANNEL = 'tripline_outbox';

export interface OutboxOptions {
  /** The server's PostgreSQL LISTEN connection, so commits on any server wake this server's watchers at once. */
  listener?: PgListener;
}

/** A dispatcher's subscription to "rows became due"; stop it at shutdown. */
export interface OutboxWatch {
  stop(): Promise<void>;
}

/**
 * The delivery outbox: rows written in the hit's transaction, claimed by dispatchers under a
 * lease, settled after each attempt. How a dispatcher learns that rows are due differs by dialect
 * and is kept here: SQLite has one process, so the writer calls its watchers in-process;
 * PostgreSQL may have several servers, so the writer NOTIFYs at commit and each server LISTENs.
 */
export class Outbox {
  private readonly watchers = new Set<() => void>();
  private readonly commit: DurableCommit;
  private readonly claimCommit: DurableCommit;

  /**
   * Settlements use the store's durableCommit: they are written once or twice per alert, and on
   * SQLite a plain commit would stall the event loop on fsync each time. Claims use its
   * unsyncedCommit: a claim lost to a power cut is no worse than one whose claimer died (its
   * lease runs out and the row is sent again), and not waiting for the disk takes a sync off the
   * path from hit to receiver.
   */
  constructor(
    private readonly store: Pick<Store, 'dialect' | 'durableCommit' | 'unsyncedCommit'>,
    private readonly options: OutboxOptions = {},
  ) {
    this.commit = store.durableCommit;
    this.claimCommit = store.unsyncedCommit;
  }

  /** Inserts rows in the caller's transaction (the hit's), so they commit with the hit or not at all. */
  async enqueue(trx: Trx, deliveries: NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await trx
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
   * Called in a transaction that added rows due now. PostgreSQL: NOTIFY, delivered at commit to
   * every server's listener, and only if the transaction commits. SQLite: the watchers are woken
   * at once; a dispatcher's claim then queues behind this transaction on the one connection, so
   * it runs after the commit and sees the rows.
   */
  async announceDue(trx: Trx): Promise<void> {
    if (this.store.dialect === 'postgres') {
      await sql`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`.execute(trx);
      return;
    }
    this.wakeWatchers();
  }

  /** Calls `wake` whenever rows may have become due; on PostgreSQL with a listen URL, for any server's rows. */
  watch(wake: () => void): OutboxWatch {
    this.watchers.add(wake);
    // Rows committed while no one was listening (or while the connection was down) are found on ready.
    const unlisten = this.store.dialect === 'postgres' ? this.options.listener?.listen(OUTBOX_NOTIFY_CHANNEL, { notify: wake, ready: wake }) : undefined;
    return {
      stop: async () => {
        this.watchers.delete(wake);
        unlisten?.();
      },
    };
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
            .$if(this.store.dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
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

  private wakeWatchers(): void {
    for (const wake of this.watchers) wake();
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
