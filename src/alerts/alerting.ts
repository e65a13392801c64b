import type { Logger } from 'pino';
import type { Store } from '../store/connect.js';
import { Outbox } from '../store/outbox.js';
import type { PgListener } from '../store/pg-listener.js';
import { AgentAlerts } from './agent-alerts.js';
import { AlertService } from './alert-service.js';
import { ChannelService } from './channel-service.js';
import { AlertDecider } from './decision.js';
import { Dispatcher } from './dispatcher.js';
import type { AlertMetrics } from './metrics.js';
import { ALERT_DEFAULTS, type AlertSettings } from './settings.js';

/** The alert pipeline of one server: decision hook, dispatcher, and the services the API uses. */
export interface Alerting {
  settings: AlertSettings;
  decider: AlertDecider;
  dispatcher: Dispatcher;
  channels: ChannelService;
  alerts: AlertService;
  /** Agent silent, back, stopped: alerts about agents rather than tokens. */
  agentAlerts: AgentAlerts;
}

export interface AlertingDeps {
  store: Store;
  log: Logger;
  settings?: Partial<AlertSettings>;
  metrics?: AlertMetrics;
  publicUrl: () => string;
  /** The server's PostgreSQL LISTEN connection; omitted on SQLite. */
  listener?: PgListener;
}

export function createAlerting(deps: AlertingDeps): Alerting {
  const settings: AlertSettings = { ...ALERT_DEFAULTS, ...stripUndefined(deps.settings ?? {}) };
  if (settings.allowPrivateTargets) deps.log.warn('--allow-private-targets: channels may send to loopback, private, link-local and cloud metadata addresses');
  const outbox = new Outbox(deps.store, { listener: deps.listener });
  const dispatcher = new Dispatcher({
    store: deps.store,
    outbox,
    settings,
    log: deps.log,
    metrics: deps.metrics,
    publicUrl: deps.publicUrl,
  });
  const decider = new AlertDecider({
    outbox,
    settings,
    log: deps.log,
    metrics: deps.metrics,
  });
  return {
    settings,
    decider,
    dispatcher,
    channels: new ChannelService(deps.store.db, settings, deps.log, deps.publicUrl),
    alerts: new AlertService(deps.store.db, settings, () => dispatcher.wake()),
    agentAlerts: new AgentAlerts(deps.store.db, outbox, settings),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
