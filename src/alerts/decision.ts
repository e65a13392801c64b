import type { Logger } from 'pino';
import { groupRuns } from '../core/group-runs.js';
import { newRowId } from '../core/ids.js';
import type { Trx } from '../store/db.js';
import { HookFailed, type HitHook } from '../store/hit-writer.js';
import type { Outbox } from '../store/outbox.js';
import { AlertRepository, type Alert } from '../store/repositories/alerts.js';
import { ChannelRepository, type DeliveryTarget } from '../store/repositories/channels.js';
import type { DeliveryPurpose } from '../store/repositories/deliveries.js';
import type { Hit } from '../store/repositories/hits.js';
import { TokenRepository, type TokenAlertFacts } from '../store/repositories/tokens.js';
import { filteredOut, parseFilters } from './channel-filters.js';
import { digestKey, groupKey, sameGroup } from './group-key.js';
import { NO_ALERT_METRICS, type AlertMetrics } from './metrics.js';
import type { AlertSettings } from './settings.js';

export interface AlertDeciderOptions {
  /** Where deliveries are written; it wakes the dispatchers once they are due. */
  outbox: Outbox;
  settings: Pick<AlertSettings, 'windowSeconds' | 'maxAgeMs' | 'alertCap'>;
  log: Logger;
  metrics?: AlertMetrics;
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  clock?: () => number;
}

interface HitGroup {
  token: TokenAlertFacts;
  key: string;
  hits: Hit[];
}

function latest(hits: Hit[]): string {
  return hits.reduce((max, hit) => (hit.at > max ? hit.at : max), hits[0]!.at);
}

/**
 * The alert decision, run as a hit-writer hook inside the hits' transaction. The first hit of a
 * grouping key alerts at once; later hits of that key within the window fold into the alert's
 * count, and the first fold schedules one digest per channel for the window's end. Once a token
 * has raised its cap of alerts in a window, hits of further keys fold into one digest alert for
 * the token instead, sent once per channel at its window's end. Deliveries are
 * written here too, so a hit, its alert and its outbox rows commit together or not at all.
 *
 * Concurrency: the token rows are locked first (FOR UPDATE on PostgreSQL; SQLite has one writer),
 * so decisions for one token are serialised across server processes and two transactions can
 * never both open an alert for the same key.
 */
export class AlertDecider {
  private readonly metrics: AlertMetrics;

  constructor(private readonly options: AlertDeciderOptions) {
    this.metrics = options.metrics ?? NO_ALERT_METRICS;
  }

  /** Returns the hits that opened an alert: they are kept in full even under a flood. */
  readonly hook: HitHook = async (trx, hits) => {
    if (hits.length === 0) return;
    // No savepoint around the decision: it cost two statements a batch on SQLite and two round
    // trips on PostgreSQL. A failure here aborts the batch's transaction instead, and the hit
    // writer commits the same hits again without the decision, so the evidence is kept either way
    // (and the failure is logged and counted).
    try {
      return await this.decide(trx, hits);
    } catch (error) {
      this.failed(error, hits);
      throw new HookFailed(error);
    }
  };

  private failed(error: unknown, hits: Hit[]): void {
    this.metrics.decisionFailed();
    this.options.log.error({ err: error, hits: hits.map((h) => h.id) }, 'alert decision failed; the hits are stored without an alert');
  }

  private async decide(trx: Trx, hits: Hit[]): Promise<Hit[]> {
    // A muted hit is stored and counted, and that is all: it neither opens an alert nor folds into one.
    hits = hits.filter((hit) => !hit.mutedBy);
    if (hits.length === 0) return [];
    const tokens = await new TokenRepository(trx).lockForAlerting([...new Set(hits.map((h) => h.tokenId))].sort());
    // A token deleted while its hits were queued leaves nothing to alert about.
    const alertable = hits.filter((hit) => tokens.has(hit.tokenId));
    const groups: HitGroup[] = [];
    for (const [key, members] of groupRuns(alertable, groupKey, sameGroup)) groups.push({ token: tokens.get(members[0]!.tokenId)!, key, hits: members });

    const alerts = new AlertRepository(trx);
    const planner = new DeliveryPlanner(trx, this.options.outbox, this.options.settings.maxAgeMs);
    const nowMs = (this.options.clock ?? Date.now)();
    const now = new Date(nowMs).toISOString();
    const raised = new Map<string, number>();
    const opening: Hit[] = [];
    for (const group of groups) {
      const open = await alerts.findOpen(group.token.id, group.key, now);
      if (open && (await alerts.fold(open.id, group.hits.length, latest(group.hits), !open.digestScheduled))) {
        if (!open.digestScheduled) await planner.schedule(open, 'digest', open.windowEnd, now, group.token);
        this.metrics.hitsFolded(group.token.kind, group.hits.length);
        continue;
      }
      const windowMs = this.windowSeconds(group.token) * 1000;
      const count =
        raised.get(group.token.id) ?? (await alerts.countRaisedSince(group.token.id, new Date(nowMs - windowMs).toISOString(), digestKey(group.token.id)));
      if (count >= this.options.settings.alertCap) {
        raised.set(group.token.id, count);
        if (await this.foldIntoDigest(group, alerts, planner, nowMs)) opening.push(group.hits[0]!);
        continue;
      }
      raised.set(group.token.id, count + 1);
      opening.push(group.hits[0]!);
      const alert = this.newAlert(group, nowMs);
      await alerts.insert(alert);
      await planner.schedule(alert, 'alert', now, now, group.token);
      this.metrics.alertRaised(group.token.kind);
      if (group.hits.length > 1) {
        // Several hits of a new key in one batch: the first alerts, the rest are already folded.
        await planner.schedule(alert, 'digest', alert.windowEnd, now, group.token);
        this.metrics.hitsFolded(group.token.kind, group.hits.length - 1);
      }
    }

    if (planner.addedDueNow) await this.options.outbox.announceDue(trx);
    return opening;
  }

  /** Hits of a key beyond the token's alert cap: counted in the token's digest alert. True when that alert is new. */
  private async foldIntoDigest(group: HitGroup, alerts: AlertRepository, planner: DeliveryPlanner, nowMs: number): Promise<boolean> {
    const now = new Date(nowMs).toISOString();
    const key = digestKey(group.token.id);
    this.metrics.hitsFolded(group.token.kind, group.hits.length);
    const open = await alerts.findOpen(group.token.id, key, now);
    if (open && (await alerts.fold(open.id, group.hits.length, latest(group.hits), false))) {
      await alerts.addFoldedKey(open, group.key);
      return false;
    }
    // Sent once per channel when its window ends, with the count it reached by then.
    const digest: Alert = { ...this.newAlert({ ...group, key }, nowMs), digestScheduled: true, foldedKeys: 0 };
    await alerts.insert(digest);
    await alerts.addFoldedKey(digest, group.key);
    await planner.schedule(digest, 'digest', digest.windowEnd, now, group.token);
    return true;
  }

  private windowSeconds(token: TokenAlertFacts): number {
    return token.alertWindowSeconds ?? this.options.settings.windowSeconds;
  }

  private newAlert(group: HitGroup, nowMs: number): Alert {
    const first = group.hits[0]!;
    const windowSeconds = this.windowSeconds(group.token);
    const now = new Date(nowMs).toISOString();
    return {
      id: newRowId(),
      tokenId: group.token.id,
      tokenKind: group.token.kind,
      tokenMemo: group.token.memo,
      groupKey: group.key,
      source: first.source,
      userAgent: first.userAgent,
      firstHitId: first.id,
      firstHitAt: first.at,
      lastHitAt: latest(group.hits),
      hitCount: group.hits.length,
      windowStart: now,
      windowEnd: new Date(nowMs + windowSeconds * 1000).toISOString(),
      digestScheduled: group.hits.length > 1,
      closedAt: null,
      foldedKeys: 0,
      createdAt: now,
    };
  }
}

/** Writes outbox rows for an alert to each of its token's channels whose filters take it, within the transaction. */
class DeliveryPlanner {
  addedDueNow = false;
  private readonly targets = new Map<string, DeliveryTarget[]>();
  private readonly channels: ChannelRepository;

  constructor(
    private readonly trx: Trx,
    private readonly outbox: Outbox,
    private readonly maxAgeMs: number,
  ) {
    this.channels = new ChannelRepository(trx);
  }

  async schedule(alert: Pick<Alert, 'id' | 'tokenId'>, purpose: DeliveryPurpose, dueAt: string, now: string, token: TokenAlertFacts): Promise<void> {
    let targets = this.targets.get(alert.tokenId);
    if (!targets) {
      targets = (await this.channels.targetsForToken(alert.tokenId)).filter((target) => filteredOut(parseFilters(target.filters), token) === null);
      this.targets.set(alert.tokenId, targets);
    }
    if (targets.length === 0) return;
    const giveUpAt = new Date(Date.parse(dueAt) + this.maxAgeMs).toISOString();
    await this.outbox.enqueue(
      this.trx,
      targets.map((target) => ({
        id: newRowId(),
        alertId: alert.id,
        channelId: target.id,
        channelKind: target.kind,
        purpose,
        dueAt,
        giveUpAt,
        createdAt: now,
      })),
    );
    if (dueAt <= now) this.addedDueNow = true;
  }
}
