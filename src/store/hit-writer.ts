import type { Kysely, Transaction } from 'kysely';
import { plainCommit, type DurableCommit } from './durable-commit.js';
import { countAndSample, FLOOD_DEFAULTS, type FloodSettings } from './hit-sampling.js';
import { storePostgresBatch, type TokenTally } from './postgres-hit-batch.js';
import { countHours } from './hit-rollups.js';
import { executeText, PreparedQuery, rawStatement } from './prepared.js';
import { RecentDurations } from './recent-durations.js';
import { newRowId } from '../core/ids.js';
import { HIT_COLUMNS, hitToRow, type Hit } from './repositories/hits.js';
import type { HitsTable } from './schema.js';
import type { Database } from './schema.js';
import type { StoreDialect } from './connect.js';

/** A hit to store. The id is normally made here; a caller that has its own (an agent's event id)
 * passes it, so a resent event collides on the primary key instead of being stored twice. */
export type NewHit = Omit<Hit, 'id'> & { id?: string };

/**
 * Work that must commit in the same transaction as the hits it sees (the alert decision and its
 * outbox rows), so a hit is never stored without its alert or alerted without being stored.
 */
/** Rows per INSERT statement: bounds the number of distinct statement texts to prepare and keep. */
const ROWS_PER_INSERT = 64;

const PLACEHOLDER_ROW = Object.fromEntries(HIT_COLUMNS.map((column) => [column, ''])) as unknown as HitsTable;

/** Adds a batch's hits to its token's counts and moves its last-hit time forward. */
const countHits = new PreparedQuery((db, p: { tokenId: string; count: number; kept: number; last: string }) =>
  db
    .updateTable('tokens')
    .set((eb) => ({
      hit_count: eb('hit_count', '+', p.count),
      hits_kept: eb('hits_kept', '+', p.kept),
      last_hit_at: eb.case().when('last_hit_at', 'is', null).then(p.last).when('last_hit_at', '<', p.last).then(p.last).else(eb.ref('last_hit_at')).end(),
    }))
    .where('id', '=', p.tokenId),
);

/** Stands in for a hit in a commit that has none (see barrier()); deleted before the commit ends. */
const removeStandIn = new PreparedQuery((db, p: { id: string }) => db.deleteFrom('hits').where('id', '=', p.id));

/**
 * SQLite errors that say the store cannot write now, whatever the hit: a full disk, an I/O error,
 * a read-only file. Retrying a batch's hits one by one would only fail each in turn, one
 * transaction at a time, while new hits queue behind them.
 */
function failsEveryWrite(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code);
}

/**
 * Bounds the time a stand-in commit can be stretched by, whatever a hit took. A time, not a count
 * of filler statements: once statements in a SQLite transaction ran directly (about 1.5 µs each
 * rather than 10-15 through the query builder), a cap of 256 of them stopped a stand-in well short
 * of a lone first hit's work, and unknown ids answered measurably sooner than live ones.
 */
const MAX_STAND_IN_MS = 5;

/**
 * The longest a stand-in's waiters are held once it is durable, to take as long as lone hits. The
 * hold takes no lock and blocks nothing (a timer, then the event loop's turns); the bound only
 * keeps a run of freak syncs from holding answers for long.
 */
const MAX_STAND_IN_WAIT_MS = 1000;

/**
 * Resolves once performance.now() reaches `until`: a timer for whole milliseconds, then one turn
 * of the event loop at a time for the rest (timers fire a millisecond late at best, and the gap
 * to match is often a fraction of one). Other requests are served between turns.
 */
function waitUntil(until: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const left = until - performance.now();
      if (left <= 0) resolve();
      else if (left > 2) setTimeout(check, left - 1.5);
      else setImmediate(check);
    };
    check();
  });
}

/** Batches committing at once on SQLite: one syncing to disk while the next runs its transaction. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * On PostgreSQL one batch at a time: a batch locks its tokens' rows (the alert decision, the
 * counts) until its commit is on disk, so a second batch of the same tokens would only wait for
 * it, holding hits that would otherwise have joined a larger batch. Measured with 128 connections
 * on one token: about 1.7 times the rate of four in flight.
 */
const MAX_POSTGRES_BATCHES_IN_FLIGHT = 1;

/**
 * Runs in the batch's transaction before its hits are written; returns the hits it needs kept in
 * full whatever flood sampling decides (the first hit of a new alert, its evidence).
 */
export type HitHook = (trx: Transaction<Database>, hits: Hit[]) => Promise<Iterable<Hit> | void>;

/**
 * Thrown by a hook whose failure must not cost the hits their place in the store: the batch is
 * rolled back and committed again without hooks. (A savepoint would isolate the hook's work, at
 * two statements a batch, paid on every batch for a failure that is rare.)
 */
export class HookFailed extends Error {
  constructor(cause: unknown) {
    super('a hit hook failed', { cause });
  }
}

/** Told once whether a hit was committed: the hit as stored, or (hit undefined) the error. */
export type HitCommitted = (error: unknown, hit?: Hit) => void;

interface Pending {
  hit: Hit;
  done: HitCommitted;
}

/**
 * Callbacks handle their own errors; one that throws anyway must neither keep the rest of the batch
 * from being told nor take the server down, so it is reported as a process warning.
 */
function notify(pending: Pending, outcome: { error: unknown } | undefined): void {
  try {
    if (outcome === undefined) pending.done(undefined, pending.hit);
    else pending.done(outcome.error);
  } catch (thrown) {
    process.emitWarning(thrown instanceof Error ? thrown : new Error(String(thrown)), 'HitCallbackError');
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

function releaseAll(waiters: Waiter[]): void {
  for (const waiter of waiters) waiter.resolve();
}

/**
 * Group commit for hits. Callers await write(); hits that arrive while a transaction is in flight
 * join the next one, so a burst of N concurrent hits costs a few commits (and fsyncs), not N.
 * write() resolves only after the hit's transaction has committed. Under a flood (see
 * hit-sampling.ts) a hit may be committed as a count only, without its detail row.
 */
export class HitWriter {
  private queue: Pending[] = [];
  /** Callers of barrier(), released with the next batch's commit. */
  private waiters: Waiter[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly hooks: HitHook[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Commits run, how many of them only stood in for a hit, and barriers asked for (tests read them). */
  readonly commits = { total: 0, standIns: 0, barriers: 0 };
  /** How long a lone hit's transaction work took lately: what a stand-in commit must take too. */
  private readonly loneHitWork = new RecentDurations();
  /** How long lone hits took lately from the commit's start until durable, and stand-ins likewise. */
  private readonly loneHitDurable = new RecentDurations();
  private readonly standInDurable = new RecentDurations();

  private readonly flood: FloodSettings;
  /**
   * Hits that came with their caller's id (an agent's event id): always kept in full, since the
   * stored row is what finds a resent copy, and a copy not found would be counted twice.
   */
  private readonly identified = new WeakSet<Hit>();

  private readonly commitDurably: DurableCommit;
  private readonly maxBatch: number;
  /** INSERT texts by row count, compiled by the query builder for this store's dialect. */
  private readonly insertSql = new Map<number, string>();

  /** Names this server in the NOTIFY that shows its hits on other replicas (PostgreSQL). */
  private readonly announceAs: string | undefined;
  private readonly postgres: boolean;
  private readonly maxInFlight: number;

  /** Pass the store's durableCommit so commits never stall the event loop (SQLite). */
  constructor(
    db: Kysely<Database>,
    options: {
      durableCommit?: DurableCommit;
      maxBatch?: number;
      flood?: FloodSettings;
      announceAs?: string;
      dialect?: StoreDialect;
    } = {},
  ) {
    this.announceAs = options.announceAs;
    this.postgres = options.dialect === 'postgres';
    this.maxInFlight = this.postgres ? MAX_POSTGRES_BATCHES_IN_FLIGHT : MAX_BATCHES_IN_FLIGHT;
    this.flood = options.flood ?? FLOOD_DEFAULTS;
    this.commitDurably = options.durableCommit ?? plainCommit(db);
    this.maxBatch = options.maxBatch ?? 1000;
  }

  addHook(hook: HitHook): void {
    this.hooks.push(hook);
  }

  write(input: NewHit): Promise<Hit> {
    return new Promise<Hit>((resolve, reject) => this.submit(input, (error, hit) => (hit ? resolve(hit) : reject(error))));
  }

  /**
   * write() for the trigger's hot path: `done` is called once the hit's batch has committed (or
   * failed), without the promises a write() and its callers' awaits cost for every hit.
   */
  submit(input: NewHit, done: HitCommitted): void {
    // Spelled out rather than spread: this runs once per hit, and a spread copy cost more.
    const hit: Hit = {
      id: input.id ?? newRowId(),
      tokenId: input.tokenId,
      kind: input.kind,
      at: input.at,
      source: input.source,
      userAgent: input.userAgent,
      detail: input.detail,
      agentId: input.agentId ?? null,
      receivedAt: input.receivedAt ?? null,
      mutedBy: input.mutedBy ?? null,
      enrichment: input.enrichment ?? null,
    };
    this.submitHit(hit, input.id !== undefined, done);
  }

  /**
   * submit() for a caller that builds the stored hit itself, id included, and gives it up (the
   * HTTP trigger, through HitRecorder): no copy is made. `identified` says the id is the caller's
   * own (an agent's event id) rather than one made for this hit with newRowId().
   */
  submitHit(hit: Hit, identified: boolean, done: HitCommitted): void {
    if (identified) this.identified.add(hit);
    this.queue.push({ hit, done });
    this.schedule();
  }

  /**
   * Waits as write() would, without writing a hit: resolves when the group commit that a
   * hit written now would join is durable, and rejects when that commit fails. Triggers for unknown
   * and disabled ids wait here, so their answers take as long as a live hit's. When no hit shares
   * the commit, a stand-in row is inserted and deleted in one transaction: an empty transaction
   * writes nothing, so its sync would return at once and the barrier would be measurably quicker
   * than a lone live hit.
   */
  barrier(): Promise<void> {
    this.commits.barriers += 1;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or in flight (for orderly shutdown). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && !this.hasWork()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private hasWork(): boolean {
    return this.queue.length > 0 || this.waiters.length > 0;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    // Let the current turn of the event loop add its hits to this batch first.
    setImmediate(() => {
      this.scheduled = false;
      this.startBatch();
    });
  }

  /**
   * Two batches may be in flight: one waiting for its sync to reach the disk while the next one
   * runs its transaction. Waiting for the first to be durable before starting the second would
   * leave the server idle for every sync.
   */
  private startBatch(): void {
    if (!this.hasWork()) {
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    const batch = this.queue.splice(0, this.maxBatch);
    const waiters = this.waiters.splice(0);
    this.inFlight += 1;
    void this.settle(batch, waiters).finally(() => {
      this.inFlight -= 1;
      if (this.hasWork()) this.schedule();
      else if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    if (this.hasWork()) this.schedule();
  }

  /** Commits the batch; the waiters that joined it are released as its hits are, and fail only if all of them did. */
  private async settle(batch: Pending[], waiters: Waiter[]): Promise<void> {
    let failure: unknown;
    let stored = false;
    /** For a stand-in: when its waiters may go, so that they take as long as lone hits do. */
    let releaseAt = 0;
    try {
      if (batch.length > 0) await this.commit(batch.map((p) => p.hit));
      else releaseAt = await this.commitStandIn();
      stored = true;
    } catch (error) {
      failure = error;
    }
    // Indexed: in this async function a for...of made an iterator result object per hit.
    if (stored) for (let i = 0; i < batch.length; i++) notify(batch[i]!, undefined);
    else if (batch.length === 1 || failsEveryWrite(failure)) for (const p of batch) notify(p, { error: failure });
    // One bad hit must not sink its neighbours: retry each on its own.
    else {
      for (const p of batch) {
        try {
          await this.commit([p.hit]);
          stored = true;
          notify(p, undefined);
        } catch (single) {
          notify(p, { error: single });
        }
      }
    }
    if (!stored) for (const waiter of waiters) waiter.reject(failure);
    // Waited out after this returns, so the wait holds no batch slot: hits keep committing meanwhile.
    else if (releaseAt > performance.now()) void waitUntil(releaseAt).then(() => releaseAll(waiters));
    else releaseAll(waiters);
  }

  /**
   * A commit that costs about what a lone hit's commit costs and leaves nothing behind. The row
   * written and deleted dirties the pages a hit's row does, so the sync has them to flush (a hit
   * also dirties its token's and its alert's). Counting a hit and deciding its alert take longer
   * than that, so the transaction then runs trivial statements until it has taken as long as a
   * recent lone hit's did: a duration drawn from the last few, so the spread matches too, not only
   * the middle. A token's first hit also writes a new alert and new counting rows, whose pages
   * make its commit and sync take longer than the stand-in's; so once durable, the stand-in's
   * waiters are held for as long as recent lone hits took to become durable beyond recent
   * stand-ins (the returned time). Until a hit has been committed there is nothing to match, and
   * nothing is added.
   */
  private async commitStandIn(): Promise<number> {
    this.commits.total += 1;
    this.commits.standIns += 1;
    const began = performance.now();
    const standIn = hitToRow({ id: newRowId(), tokenId: '', kind: '', at: '', source: '', userAgent: null, detail: { type: 'none' } });
    await this.commitDurably(async (trx) => {
      const started = performance.now();
      await executeText(
        trx,
        this.insertStatement(trx, 1),
        HIT_COLUMNS.map((column) => standIn[column]),
      );
      await removeStandIn.execute(trx, { id: standIn.id });
      const until = started + Math.min(this.loneHitWork.sample(), MAX_STAND_IN_MS);
      while (performance.now() < until) await rawStatement(trx, 'select 1');
    });
    const durable = performance.now();
    this.standInDurable.add(durable - began);
    // A shift by the difference of the middles, not a wait until a drawn hit's time: the longer of
    // two draws from one spread would hold stand-ins longer than the hits they stand in for.
    const behind = (this.loneHitDurable.median() ?? 0) - (this.standInDurable.median() ?? 0);
    return behind > 0 ? durable + Math.min(behind, MAX_STAND_IN_WAIT_MS) : 0;
  }

  /** Building the statement per batch cost more than running it, so each size is compiled once. */
  private insertStatement(trx: Transaction<Database>, rows: number): string {
    let text = this.insertSql.get(rows);
    if (!text) {
      text = trx
        .insertInto('hits')
        .values(Array.from({ length: rows }, () => PLACEHOLDER_ROW))
        .compile().sql;
      this.insertSql.set(rows, text);
    }
    return text;
  }

  private async commit(hits: Hit[]): Promise<void> {
    try {
      await this.commitWith(hits, this.hooks);
    } catch (error) {
      if (!(error instanceof HookFailed)) throw error;
      // The hook's work rolled back with everything else; the hits go in without it.
      await this.commitWith(hits, []);
    }
  }

  private async commitWith(hits: Hit[], hooks: HitHook[]): Promise<void> {
    this.commits.total += 1;
    const began = performance.now();
    let work = 0;
    await this.commitDurably(async (trx) => {
      const started = performance.now();
      const needed = new Set<Hit>();
      for (const hook of hooks) for (const hit of (await hook(trx, hits)) ?? []) needed.add(hit);
      // Every hit is counted; under a flood only a sample is stored in full.
      const kept = await countAndSample(trx, hits, this.flood, (hit) => needed.has(hit) || this.identified.has(hit));
      await countHours(trx, hits);
      const perToken = new Map<string, TokenTally>();
      for (let i = 0; i < hits.length; i++) {
        const hit = hits[i]!;
        // An agent's clock may run ahead: the last-hit time never passes the moment it arrived.
        const at = hit.receivedAt && hit.receivedAt < hit.at ? hit.receivedAt : hit.at;
        const entry = perToken.get(hit.tokenId) ?? { count: 0, kept: 0, last: at };
        entry.count += 1;
        if (at > entry.last) entry.last = at;
        perToken.set(hit.tokenId, entry);
      }
      for (const hit of kept) perToken.get(hit.tokenId)!.kept += 1;
      if (this.postgres) await storePostgresBatch(trx, kept, perToken, this.announceAs);
      else
        for (let start = 0; start < kept.length; start += ROWS_PER_INSERT) {
          const chunk = kept.slice(start, start + ROWS_PER_INSERT);
          const parameters: unknown[] = [];
          for (const hit of chunk) {
            const row = hitToRow(hit);
            for (const column of HIT_COLUMNS) parameters.push(row[column]);
          }
          await executeText(trx, this.insertStatement(trx, chunk.length), parameters);
        }
      if (!this.postgres) for (const [tokenId, entry] of perToken) await countHits.execute(trx, { tokenId, ...entry });
      work = performance.now() - started;
    });
    if (hits.length === 1) {
      this.loneHitWork.add(work);
      this.loneHitDurable.add(performance.now() - began);
    }
  }
}
