import { isoNow } from '../core/time.js';
import type { Db } from '../store/db.js';
import type { Page } from '../store/paging.js';
import { AlertRepository, type Alert, type AlertFilter } from '../store/repositories/alerts.js';
import { DeliveryRepository, type Delivery, type DeliveryFilter } from '../store/repositories/deliveries.js';
import type { AlertSettings } from './settings.js';

/** A delivery as the API shows it (the claim's internals left out). */
export interface DeliveryView {
  id: string;
  alertId: string;
  channelId: string;
  channelKind: string;
  purpose: string;
  state: string;
  attempts: number;
  /** Pending: when the next attempt is due. Sending: when the claim lapses. */
  nextAttemptAt: string | null;
  giveUpAt: string;
  lastStatus: number | null;
  lastError: string | null;
  claimedBy: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

/** An alert as the API shows it: the grouping hash and bookkeeping replaced by `closed`. */
export interface AlertView extends Omit<Alert, 'groupKey' | 'digestScheduled' | 'closedAt'> {
  closed: boolean;
  deliveries: DeliveryView[];
}

export function presentDelivery(d: Delivery): DeliveryView {
  const open = d.state === 'pending' || d.state === 'sending';
  return {
    id: d.id,
    alertId: d.alertId,
    channelId: d.channelId,
    channelKind: d.channelKind,
    purpose: d.purpose,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: open ? d.nextAttemptAt : null,
    giveUpAt: d.giveUpAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    claimedBy: d.state === 'sending' ? d.claimedBy : null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    deliveredAt: d.deliveredAt,
  };
}

function presentAlert(alert: Alert, deliveries: Delivery[]): AlertView {
  const { groupKey: _hash, digestScheduled: _scheduled, closedAt, ...shown } = alert;
  return { ...shown, closed: closedAt !== null || alert.windowEnd <= isoNow(), deliveries: deliveries.map(presentDelivery) };
}

/** Alerts and their deliveries for the API, and retrying a delivery that was given up. */
export class AlertService {
  readonly alerts: AlertRepository;
  readonly deliveries: DeliveryRepository;

  constructor(
    db: Db,
    private readonly settings: Pick<AlertSettings, 'maxAgeMs'>,
    /** Tells the dispatcher a row became due (a retried delivery). */
    private readonly wake: () => void,
  ) {
    this.alerts = new AlertRepository(db);
    this.deliveries = new DeliveryRepository(db);
  }

  async list(filter: AlertFilter): Promise<Page<AlertView>> {
    const page = await this.alerts.list(filter);
    const byAlert = new Map<string, Delivery[]>();
    for (const delivery of await this.deliveries.forAlerts(page.items.map((a) => a.id))) {
      byAlert.set(delivery.alertId, [...(byAlert.get(delivery.alertId) ?? []), delivery]);
    }
    return {
      items: page.items.map((alert) => presentAlert(alert, byAlert.get(alert.id) ?? [])),
      nextCursor: page.nextCursor,
    };
  }

  async get(id: string): Promise<AlertView> {
    const alert = await this.alerts.get(id);
    return presentAlert(alert, await this.deliveries.forAlerts([id]));
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Page<DeliveryView>> {
    const page = await this.deliveries.list(filter);
    return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
  }

  async getDelivery(id: string): Promise<DeliveryView> {
    return presentDelivery(await this.deliveries.get(id));
  }

  /** A dead delivery goes back to pending, due now, with a fresh maximum age. */
  async retry(id: string): Promise<DeliveryView> {
    const now = Date.now();
    const delivery = await this.deliveries.retryDead(id, new Date(now).toISOString(), new Date(now + this.settings.maxAgeMs).toISOString());
    this.wake();
    return presentDelivery(delivery);
  }
}
