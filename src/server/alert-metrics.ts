import type { AlertMetrics } from '../alerts/metrics.js';
import type { DeliveryRepository } from '../store/repositories/deliveries.js';
import type { ServerMetrics } from './metrics.js';

/** The alert pipeline's counters and the outbox backlog gauge, on the server's registry. */
export function alertMetrics(metrics: ServerMetrics, outbox: DeliveryRepository): AlertMetrics {
  const alerts = metrics.counter('tripline_alerts_total', 'Alerts raised (first hit of a grouping key), by token kind.', ['kind']);
  const folded = metrics.counter('tripline_alert_hits_folded_total', 'Hits folded into an open alert instead of alerting again, by token kind.', ['kind']);
  const failed = metrics.counter('tripline_alert_decision_errors_total', 'Batches of hits stored without an alert because deciding failed.', []);
  const deliveries = metrics.counter('tripline_alert_deliveries_total', 'Delivery attempts, by channel kind and outcome (delivered, retry, dead).', [
    'channel_kind',
    'outcome',
  ]);
  metrics.gauge('tripline_alert_delivery_backlog', 'Deliveries not yet delivered, by state (pending, sending, dead).', ['state'], async (gauge) => {
    const backlog = await outbox.backlog();
    for (const [state, count] of Object.entries(backlog)) gauge.set({ state }, count);
  });
  return {
    alertRaised: (kind) => alerts.inc({ kind }),
    hitsFolded: (kind, hits) => folded.inc({ kind }, hits),
    decisionFailed: () => failed.inc(),
    deliveryAttempt: (channelKind, outcome) => deliveries.inc({ channel_kind: channelKind, outcome }),
  };
}
