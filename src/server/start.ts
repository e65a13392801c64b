import pino, { type Logger } from 'pino';
import type { AlertSettings } from '../alerts/settings.js';
import { openStore, DEFAULT_SQLITE_PATH, isPostgresUrl } from '../store/connect.js';
import type { FloodSettings } from '../store/hit-sampling.js';
import { HitRetention } from '../store/hit-retention.js';
import type { ArtifactContext } from '../tokens/kind.js';
import { ensureAdminKey } from './admin-key.js';
import { buildApp } from './app.js';
import { startDnsServer, type RunningDnsServer } from './dns/dns-server.js';
import type { DnsZoneSettings } from './dns/zone.js';
import { createServices, type Services } from './services.js';

export interface ServerOptions {
  host: string;
  port: number;
  db: string;
  /** Base URL that trigger artifacts use; defaults to the listening address. */
  publicUrl?: string;
  trustProxy: string[];
  adminKey?: string;
  logLevel: string;
  /** Where to print the once-only generated admin key (defaults to standard error). */
  print?: (text: string) => void;
  /** The authoritative DNS server for dns tokens (UDP and TCP); off when omitted. */
  dns?: DnsZoneSettings & { port: number; host?: string };
  /** Alert window, delivery retries and age, SMTP; defaults in alerts/settings.ts. */
  alerts?: Partial<AlertSettings>;
  /** Flood sampling: hits per token, source and minute kept in full, then one in every sampleEvery. */
  flood?: Partial<FloodSettings>;
  /** Hit details older than this are dropped hourly (counts stay); kept forever when omitted. */
  hitRetentionMs?: number;
}

export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  db: DEFAULT_SQLITE_PATH,
  logLevel: 'info',
} as const;

export interface RunningServer {
  services: Services;
  /** Where the trigger listener is, e.g. http://127.0.0.1:8080: token paths only. */
  url: string;
  /** Where the admin listener is, e.g. http://127.0.0.1:8081: REST API, dashboard, agents, metrics. */
  adminUrl: string;
  /** The DNS listener's zone and port, when one runs. */
  dns?: { zone: string; port: number };
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Opens the store, makes sure an admin key exists and serves HTTP until close() is called. */
export async function startServer(options: ServerOptions, log: Logger = pino({ level: options.logLevel })): Promise<RunningServer> {
  const store = await openStore(options.db);
  const artifacts: ArtifactContext = { publicUrl: (options.publicUrl ?? '').replace(/\/+$/, '') };
  const services = createServices(store, log, {
    artifacts,
    trustProxy: options.trustProxy,
    alerts: options.alerts,
    flood: options.flood,
    listenUrl: isPostgresUrl(options.db) ? options.db : undefined,
  });
  let dns: RunningDnsServer | undefined;
  const retention = new HitRetention(store.db, {
    retentionMs: options.hitRetentionMs,
    onError: (error) => log.error({ err: error }, 'hit retention pass failed; it runs again within the hour'),
  });
  try {
    await ensureAdminKey(services.keys, log, options.adminKey, options.print ?? ((text) => process.stderr.write(text + '\n')));
    const app = await buildApp(services);
    if (options.dns) {
      dns = await startDnsServer({ ...options.dns, host: options.dns.host ?? options.host }, services.recorder, services.metrics, log);
      artifacts.dnsZone = dns.zone.name;
    }
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = `http://${urlHost(options.host)}:${port}`;
    if (!options.publicUrl) {
      artifacts.publicUrl = url;
      log.warn({ publicUrl: url }, 'no --public-url given: trigger URLs point at the listening address; set --public-url to the address attackers will reach');
    }
    log.info({ url, adminUrl: url, node: process.version, store: store.location, dialect: store.dialect, publicUrl: artifacts.publicUrl }, 'tripline server listening');
    // Pending deliveries (from before a restart, or from other servers) start going out now.
    services.alerting.dispatcher.start();
    retention.start();
    return {
      services,
      url,
      adminUrl: url,
      ...(dns ? { dns: { zone: dns.zone.name, port: dns.port } } : {}),
      async close() {
        await dns?.close();
        await app.close();
        await services.hitWriter.idle();
        await services.alerting.dispatcher.stop();
        await retention.stop();
        await store.close();
      },
    };
  } catch (error) {
    await dns?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
