import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { AlertSettings } from '../alerts/settings.js';
import { ConfigError } from '../core/errors.js';
import { openStore, DEFAULT_SQLITE_PATH, isPostgresUrl } from '../store/connect.js';
import type { FloodSettings } from '../store/hit-sampling.js';
import { HitRetention } from '../store/hit-retention.js';
import type { ArtifactContext } from '../tokens/kind.js';
import { ensureAdminKey } from './admin-key.js';
import { buildApp } from './app.js';
import { DEFAULT_MAX_CONNECTIONS_PER_SOURCE } from './http-limits.js';
import { listenerUrl, type ListenAddress } from './listen-address.js';
import { startDnsServer, type DnsServerOptions, type RunningDnsServer } from './dns/dns-server.js';
import type { EnrichmentSettings } from './enrichment/source-enricher.js';
import { createServices, type Services } from './services.js';
import { createTriggerServer } from './trigger-server.js';
import { configuredMailDomain, startCredentialListeners, type CredentialListenerOptions, type RunningCredentialListeners } from './listeners/index.js';
import { serverNoticeMessage } from '../alerts/server-notice.js';
import { storeNow } from '../store/db.js';
import type { DeploymentView } from './api/deployment.js';
import { deploymentView } from './deployment-view.js';
import { ReachProbes } from './reach-probes.js';
import { adminCertificate, createTlsPlane, type AdminTlsOptions, type TlsOptions, type TlsPlane } from './tls/tls-plane.js';

export interface ServerOptions {
  /** The trigger listener (token paths only), the one put on the internet. */
  listen: ListenAddress;
  /** The admin listener: REST API, dashboard, agent ingest, /metrics, /healthz. */
  adminListen: ListenAddress;
  /** Connections one TCP peer may hold open on the trigger listener at once. */
  maxConnectionsPerSource?: number;
  db: string;
  /** Base URL that trigger artifacts use; defaults to the trigger listener's address. */
  publicUrl?: string;
  /** Base URL operators reach the admin listener at, for dashboard links in alerts; defaults to its address. */
  adminPublicUrl?: string;
  trustProxy: string[];
  adminKey?: string;
  logLevel: string;
  /** Where to print the once-only generated admin key (defaults to standard error). */
  print?: (text: string) => void;
  /** The authoritative DNS server for dns tokens (UDP and TCP); off when omitted. Its host defaults to the trigger listener's. */
  dns?: Omit<DnsServerOptions, 'host'> & { host?: string };
  /** Alert window, delivery retries and age, SMTP; defaults in alerts/settings.ts. */
  alerts?: Partial<AlertSettings>;
  /** Flood sampling: hits per token, source and minute kept in full, then one in every sampleEvery. */
  flood?: Partial<FloodSettings>;
  /** An agent silent this long raises "agent silent"; default three of the agent's own heartbeat intervals. */
  agentSilentAfterMs?: number;
  /** Hit details older than this are dropped hourly (counts stay); kept forever when omitted. */
  hitRetentionMs?: number;
  /** Country, city and ASN databases (MaxMind format) and reverse DNS for hit sources; off when omitted. */
  enrichment?: EnrichmentSettings;
  /** Credential listeners (SSH, MySQL, SMTP, WireGuard), each off unless its address is given. */
  credentialListeners?: CredentialListenerOptions;
  /** Host name credential artifacts point clients at; the public URL's host when omitted. */
  publicHost?: string;
  /** An HTTPS trigger listener beside the plain one, with a certificate from files or by ACME. */
  tls?: TlsOptions;
  /** HTTPS on the admin listener: the trigger plane's certificate ('same') or its own files. */
  adminTls?: AdminTlsOptions;
}

export const SERVER_DEFAULTS = {
  listen: { host: '127.0.0.1', port: 8080 },
  adminListen: { host: '127.0.0.1', port: 8081 },
  maxConnectionsPerSource: DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
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
  /** The credential listeners' bound ports. */
  listeners: RunningCredentialListeners['ports'];
  /** The HTTPS trigger listener, e.g. https://127.0.0.1:8443, and its certificate, when --tls-listen is given. */
  tlsUrl?: string;
  tls?: TlsPlane;
  close(): Promise<void>;
}

/** A listener that cannot bind, named by its flag, with the system's reason (EADDRINUSE, EACCES ...). */
function listenFailed(flag: string, address: ListenAddress, error: unknown): ConfigError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new ConfigError(`${flag} ${new URL(listenerUrl(address.host, address.port)).host}: cannot listen there (${reason})`, { reason });
}

/** Listens and answers the URL clients reach it at (the port is the bound one when 0 was asked). */
async function listen(server: Server | HttpsServer, address: ListenAddress, flag: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(listenFailed(flag, address, error));
    server.once('error', failed);
    server.listen(address.port, address.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return listenerUrl(address.host, (server.address() as AddressInfo).port);
}

/** Stops accepting, lets requests in flight (a hit waiting for its commit) finish for a while, then cuts the rest. */
function closeServer(server: Server | HttpsServer, graceMs = 5_000): Promise<void> {
  if (!server.listening) return Promise.resolve();
  const cut = setTimeout(() => server.closeAllConnections(), graceMs).unref();
  return new Promise((resolve) =>
    server.close(() => {
      clearTimeout(cut);
      resolve();
    }),
  );
}

/** Opens the store, makes sure an admin key exists and serves both listeners until close() is called. */
export async function startServer(options: ServerOptions, log: Logger = pino({ level: options.logLevel })): Promise<RunningServer> {
  const store = await openStore(options.db, { log });
  const artifacts: ArtifactContext = {
    publicUrl: (options.publicUrl ?? '').replace(/\/+$/, ''),
    ...(options.publicHost ? { publicHost: options.publicHost } : {}),
  };
  // A dashboard link built from the trigger plane's URL would land on a trigger path holding the
  // token id, so opening the alert would fire the token.
  let dashboardUrl = (options.adminPublicUrl ?? '').replace(/\/+$/, '');
  const services = createServices(store, log, {
    artifacts,
    dashboardUrl: () => dashboardUrl,
    trustProxy: options.trustProxy,
    alerts: options.alerts,
    flood: options.flood,
    listenUrl: isPostgresUrl(options.db) ? options.db : undefined,
    agentSilentAfterMs: options.agentSilentAfterMs,
    enrichment: options.enrichment,
  });
  let dns: RunningDnsServer | undefined;
  let credentials: RunningCredentialListeners | undefined;
  let app: FastifyInstance | undefined;
  const maxConnectionsPerSource = options.maxConnectionsPerSource ?? SERVER_DEFAULTS.maxConnectionsPerSource;
  const probes = new ReachProbes();
  let tls: TlsPlane | undefined;
  let adminTls: ReturnType<typeof adminCertificate> | undefined;
  try {
    tls = options.tls
      ? createTlsPlane(services, options.tls, {
          maxConnectionsPerSource,
          dnsZone: options.dns?.zone,
          publicUrl: options.publicUrl,
          fronts: [probes.front('https')],
          notice: async (subject) => void (await services.alerting.channels.notifyAll(serverNoticeMessage(dashboardUrl, 'tls-certificate', subject))),
        })
      : undefined;
    adminTls = adminCertificate(options.adminTls, tls, log);
  } catch (error) {
    await tls?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  const trigger = createTriggerServer(services, { maxConnectionsPerSource, fronts: [probes.front('http'), ...(tls?.plainFronts ?? [])] });
  let addresses: { url: string; tlsUrl?: string } | undefined;
  const describe = async (): Promise<DeploymentView> => {
    const serverTime = new Date().toISOString();
    const storeTime = await storeNow(store.db);
    return deploymentView(options, tls, { ...addresses!, dashboardUrl, publicUrl: artifacts.publicUrl, dns, serverTime, storeTime });
  };
  const retention = new HitRetention(store.db, {
    retentionMs: options.hitRetentionMs,
    onError: (error) => log.error({ err: error }, 'hit retention pass failed; it runs again within the hour'),
  });
  try {
    // The rules in force before the first hit: a hit recorded before they are read would alert.
    await services.noise.load();
    await ensureAdminKey(services.keys, log, options.adminKey, options.print ?? ((text) => process.stderr.write(`${text}\n`)));
    app = await buildApp(services, { tls: adminTls.served, deployment: { describe, probes } });
    if (options.dns) {
      const mailDomain = configuredMailDomain(options.credentialListeners ?? {}, options.dns.zone);
      dns = await startDnsServer(
        { ...options.dns, host: options.dns.host ?? options.listen.host, acmeTxt: tls?.acmeTxt ?? options.dns.acmeTxt, ...(mailDomain ? { mailDomain } : {}) },
        services.recorder,
        services.metrics,
        log,
      );
      artifacts.dnsZone = dns.zone.name;
    }
    credentials = await startCredentialListeners(services, options.credentialListeners ?? {});
    await app
      .listen({ host: options.adminListen.host, port: options.adminListen.port, listenTextResolver: (address) => `admin listener at ${address}` })
      .catch((error: unknown) => {
        throw listenFailed('--admin-listen', options.adminListen, error);
      });
    const adminUrl = listenerUrl(options.adminListen.host, (app.server.address() as AddressInfo).port).replace(/^http:/, adminTls.served ? 'https:' : 'http:');
    const url = await listen(trigger, options.listen, '--listen');
    const tlsUrl = tls && options.tls ? (await listen(tls.server, options.tls.listen, '--tls-listen')).replace(/^http:/, 'https:') : undefined;
    if (tls && tlsUrl) tls.start(Number(new URL(tlsUrl).port || 443));
    addresses = { url, ...(tlsUrl ? { tlsUrl } : {}) };
    if (!dashboardUrl) dashboardUrl = adminUrl;
    const admin = app;
    if (!options.publicUrl) {
      artifacts.publicUrl = url;
      log.warn({ publicUrl: url }, 'no --public-url given: trigger URLs point at the trigger listener; set --public-url to the address attackers will reach');
    }
    log.info(
      {
        url,
        ...(tlsUrl ? { tlsUrl } : {}),
        adminUrl,
        node: process.version,
        store: store.location,
        dialect: store.dialect,
        publicUrl: artifacts.publicUrl,
        dashboardUrl,
      },
      'tripline server listening',
    );
    // Pending deliveries (from before a restart, or from other servers) start going out now.
    services.pgListener?.start();
    services.alerting.dispatcher.start();
    services.agentLiveness.start();
    retention.start();
    return {
      services,
      url,
      adminUrl,
      ...(dns ? { dns: { zone: dns.zone.name, port: dns.port } } : {}),
      listeners: credentials.ports,
      ...(tls ? { tls, tlsUrl } : {}),
      async close() {
        await dns?.close();
        await credentials?.close();
        await tls?.close();
        if (tls) await closeServer(tls.server);
        await closeServer(trigger);
        services.fleetPolicies.close();
        await admin.close();
        adminTls?.stop();
        await services.auth.close();
        await services.hitWriter.idle();
        await services.agentLiveness.stop();
        await services.alerting.dispatcher.stop();
        await services.pgListener?.stop();
        await retention.stop();
        await store.close();
      },
    };
  } catch (error) {
    await dns?.close().catch(() => undefined);
    await credentials?.close().catch(() => undefined);
    await closeServer(trigger, 0).catch(() => undefined);
    await tls?.close().catch(() => undefined);
    if (tls) await closeServer(tls.server, 0).catch(() => undefined);
    adminTls?.stop();
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
