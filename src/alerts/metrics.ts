export type DeliveryOutcome = 'delivered' | 'retry' | 'dead';

/** What the alert pipeline counts; the server backs it with Prometheus counters. */
export interface AlertMetrics {
  alertRaised(tokenKind: string): void;
  hitsFolded(tokenKind: string, hits: number): void;
  decisionFailed(): void;
  deliveryAttempt(channelKind: string, outcome: DeliveryOutcome): void;
}

export const NO_ALERT_METRICS: AlertMetrics = {
  alertRaised: () => undefined,
  hitsFolded: () => undefined,
  decisionFailed: () => undefined,
  deliveryAttempt: () => undefined,
};
