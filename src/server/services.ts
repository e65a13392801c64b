import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createAlerting, type Alerting } from '../alerts/alerting.js';
import type { AlertSettings } from '../alerts/settings.js';
import type { Store } from '../store/connect.js';
import { HitWriter } from '../store/hit-writer.js';
import { PgListener } from '../store/pg-listener.js';
import { FLOOD_DEFAULTS, type FloodSettings } from '../store/hit-sampling.js';
import { AgentRepository } from '../store/repositories/agents.js';
import { ApiKeyRepository } from '../store/repositories/api-keys.js';
import { DeliveryRepository } from '../store/repositories/deliveries.js';
import { HitRepository } from '../store/repositories/hits.js';
import type { ArtifactContext } from '../tokens/kind.js';
import { TokenService } from '../tokens/service.js';
import { alertMetrics } from './alert-metrics.js';
import { Authenticator } from './api/auth.js';
import { AgentIngest } from './agent-ingest.js';
import { AgentLiveness } from './agent-liveness.js';
import { DecoyInventory } from './decoy-inventory.js';
import { FleetPolicyService } from './fleet-policies.js';
import { ClientAddressResolver } from './client-address.js';
import { NoiseService } from '../alerts/noise/noise-service.js';
import { ReverseDns } from './enrichment/reverse-dns.js';
import { SourceEnricher, type EnrichmentSettings } from './enrichment/source-enricher.js';
import type { Enrichment } from '../core/model/enrichment.js';
import type { Hit } from '../store/repositories/hits.js';
import { HitAnnotator } from './hit-annotator.js';
import { HitRecorder } from './hit-recorder.js';
import { LiveEventBus } from './live-events.js';
import { followReplicaHits } from './replica-hits.js';
import { ServerMetrics } from './metrics.js';
import { walMetrics } from './store-metrics.js';

export interface ServicesConfig {
  artifacts: ArtifactContext;
  trustProxy: string[];
  /** Base URL of the dashboard, for the links in alerts: the admin plane, never the trigger one. */
  dashboardUrl: () => string;
  alerts?: Partial<AlertSettings>;
  /** When a source's hits stop being stored in full (all are still counted). */
  flood?: Partial<FloodSettings>;
  /** --agent-silent-after: a fixed silence time for every agent (default three of its own intervals). */
  agentSilentAfterMs?: number;
  /** The postgres:// URL, to LISTEN for new deliveries and other replicas' hits; omitted on SQLite. */
  listenUrl?: string;
  /** Offline enrichment of hit sources: MaxMind-format databases, reverse DNS. */
  enrichment?: EnrichmentSettings;
}

/** Everything the HTTP app and the other listeners share, built once per server. */
export interface Services {
  store: Store;
  log: Logger;
  metrics: ServerMetrics;
  keys: ApiKeyRepository;
  /** API key checks for the admin plane: roles, failure throttling, last-used times. */
  auth: Authenticator;
  tokens: TokenService;
  hits: HitRepository;
  hitWriter: HitWriter;
  recorder: HitRecorder;
  addresses: ClientAddressResolver;
  artifacts: ArtifactContext;
  /** Alert decision (a hit-writer hook), channels, the outbox dispatcher. */
  alerting: Alerting;
  /** Committed changes, pushed to open dashboards: this server's hits and, on PostgreSQL, every replica's. */
  events: LiveEventBus;
  /** The one LISTEN connection (PostgreSQL only); started and stopped with the server. */
  pgListener?: PgListener;
  /** Enrolled host agents, and their event batches turned into file hits. */
  agents: AgentRepository;
  agentIngest: AgentIngest;
  /** Agents gone silent, back or stopped, raised as alerts; started and stopped with the server. */
  agentLiveness: AgentLiveness;
  /** Central policies: kept here, fetched by the agents they target. */
  fleetPolicies: FleetPolicyService;
  /** Every decoy agents report, and tamper hits for those that go missing. */
  decoys: DecoyInventory;
  /** Noise rules: which hits are recorded muted. Loaded before the server takes hits. */
  noise: NoiseService;
}

export function createServices(store: Store, log: Logger, config: ServicesConfig): Services {
  const metrics = new ServerMetrics();
  if (store.walStatus) walMetrics(metrics, store.walStatus);
  const tokens = new TokenService(store.db, config.artifacts, store.reader);
  const flood: FloodSettings = {
    threshold: config.flood?.threshold ?? FLOOD_DEFAULTS.threshold,
    sampleEvery: config.flood?.sampleEvery ?? FLOOD_DEFAULTS.sampleEvery,
  };
  // Names this server in its hit announcements, so it does not show its own hits twice.
  const origin = randomUUID();
  const pgListener = config.listenUrl
    ? new PgListener(config.listenUrl, (error) =>
        log.warn({ err: error }, 'lost the PostgreSQL notification connection; reconnecting (deliveries are polled meanwhile)'),
      )
    : undefined;
  const hitWriter = new HitWriter(store.db, { durableCommit: store.durableCommit, flood, announceAs: pgListener ? origin : undefined, dialect: store.dialect });
  const alerting = createAlerting({
    store,
    log,
    settings: config.alerts,
    metrics: alertMetrics(metrics, new DeliveryRepository(store.db)),
    publicUrl: config.dashboardUrl,
    listener: pgListener,
  });
  hitWriter.addHook(alerting.decider.hook);
  const events = new LiveEventBus();
  const noise = new NoiseService(store.db, log);
  const enrichment = config.enrichment ?? {};
  const enricher = new SourceEnricher(enrichment, enrichment.reverseDns ? new ReverseDns(enrichment.reverseDnsServers) : undefined);
  const storeHostname = (hit: Hit, found: Enrichment) => new HitRepository(store.db).setEnrichment(hit.id, found);
  const annotator = new HitAnnotator(noise, enricher.enabled ? enricher : undefined, storeHostname, log);
  const recorder = new HitRecorder(tokens.live, hitWriter, metrics, log, events, annotator);
  // Writers' lookups (agent dedupe, replica announcements) read the store itself; pages read through
  // store.reader, off the main thread on SQLite.
  const hits = new HitRepository(store.db);
  if (pgListener) followReplicaHits(pgListener, origin, hits, events, log);
  const agents = new AgentRepository(store.db);
  const keys = new ApiKeyRepository(store.db);
  const addresses = new ClientAddressResolver(config.trustProxy);
  // The store itself, not a cache: an event for a token disabled a moment ago is ignored.
  const agentIngest = new AgentIngest(hits, tokens.repository, recorder, agents, log, metrics);
  const agentLiveness = new AgentLiveness(agents, alerting.agentAlerts, log, { silentAfterMs: config.agentSilentAfterMs });
  const decoys = new DecoyInventory(store.db, tokens.repository, recorder, log);
  agentIngest.afterHeartbeat = async (agent, heartbeat) => {
    await agentLiveness.heartbeat(agent, heartbeat);
    await decoys.heartbeat(agent, heartbeat);
  };
  return {
    store,
    log,
    metrics,
    keys,
    auth: new Authenticator(keys, addresses, log),
    tokens,
    hits: new HitRepository(store.reader),
    hitWriter,
    recorder,
    addresses,
    artifacts: config.artifacts,
    alerting,
    events,
    pgListener,
    agents,
    agentIngest,
    agentLiveness,
    fleetPolicies: new FleetPolicyService(store.db, agents),
    decoys,
    noise,
  };
}
