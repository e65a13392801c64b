import type { Server as HttpsServer } from 'node:https';
import { ConfigError } from '../../core/errors.js';
import { TlsRepository } from '../../store/repositories/tls.js';
import type { ListenAddress } from '../listen-address.js';
import type { Services } from '../services.js';
import { createTriggerServer } from '../trigger-server.js';
import { ACME_DEFAULTS, AcmeCertificates, LETS_ENCRYPT_DIRECTORY, type AcmeChallengeType, type AcmeNotice, type AcmeSettings } from './acme-certificates.js';
import { serveCertificateFiles } from './certificate-files.js';
import { ExpiryWatch } from './expiry-watch.js';
import { ServedCertificate } from './served-certificate.js';
import { acmeHttpChallenge, redirectToHttps, type TriggerFront } from './trigger-front.js';

/** TLS on the trigger plane, as `tripline server` takes it. */
export interface TlsOptions {
  /** The HTTPS trigger listener, beside the plain one. */
  listen: ListenAddress;
  /** A certificate and key from files, served anew when they change. */
  files?: { cert: string; key: string };
  /** Or one obtained and renewed by ACME. */
  acme?: {
    email: string;
    directory?: string;
    domains?: string[];
    challenge?: AcmeChallengeType;
  } & Partial<Pick<AcmeSettings, 'renewAt' | 'checkEveryMs' | 'retry'>>;
  /** The plain listener sends requests that cannot be triggers to HTTPS. */
  redirect?: boolean;
}

export interface TlsPlane {
  served: ServedCertificate;
  /** The HTTPS trigger listener (not yet listening). */
  server: HttpsServer;
  /** What the plain trigger listener answers before the trigger: HTTP-01 challenges, the redirect. */
  plainFronts: TriggerFront[];
  /** DNS-01 answers for the DNS server, when the certificate comes by ACME. */
  acmeTxt?: (name: string) => Promise<string[]>;
  acme?: AcmeCertificates;
  /** Starts ordering (ACME), once the listeners that answer challenges are up. */
  start(httpsPort: number): void;
  close(): Promise<void>;
}

/** The admin listener's TLS: the trigger plane's certificate, or its own files. */
export type AdminTlsOptions = 'same' | { cert: string; key: string };

/** The certificate the admin listener serves, if any, and how to stop watching its files. */
export function adminCertificate(
  options: AdminTlsOptions | undefined,
  trigger: TlsPlane | undefined,
  log: Services['log'],
): { served?: ServedCertificate; stop(): void } {
  if (!options) return { stop() {} };
  if (options === 'same') {
    if (!trigger) throw new ConfigError('--admin-tls serves the --tls-listen certificate: give --tls-listen too, or --admin-tls-cert/--admin-tls-key');
    return { served: trigger.served, stop() {} };
  }
  const served = new ServedCertificate();
  const files = serveCertificateFiles(options.cert, options.key, served, log, '--admin-tls-cert', '--admin-tls-key');
  return { served, stop: () => files.stop() };
}

/** The names to order when --acme-domains is not given: the zone and its wildcard, or the public URL's host. */
function defaultDomains(dnsZone: string | undefined, publicUrl: string | undefined): string[] {
  if (dnsZone) return [dnsZone, `*.${dnsZone}`];
  const host = publicUrl ? new URL(publicUrl).hostname : '';
  if (!host || /^[\d.]+$|^\[/.test(host)) {
    throw new ConfigError('--acme-email needs names to order: give --acme-domains, a --dns-zone, or a --public-url with a host name');
  }
  return [host];
}

export function createTlsPlane(
  services: Services,
  options: TlsOptions,
  context: { maxConnectionsPerSource: number; dnsZone?: string; publicUrl?: string; notice: AcmeNotice; fronts?: TriggerFront[] },
): TlsPlane {
  if (!options.files === !options.acme) throw new ConfigError('--tls-listen needs either --tls-cert and --tls-key, or --acme-email');
  const served = new ServedCertificate();
  const repo = new TlsRepository(services.store.db);
  const files = options.files ? serveCertificateFiles(options.files.cert, options.files.key, served, services.log) : undefined;
  let acme: AcmeCertificates | undefined;
  if (options.acme) {
    const domains = options.acme.domains?.length ? options.acme.domains : defaultDomains(context.dnsZone, context.publicUrl);
    const wildcard = domains.find((domain) => domain.startsWith('*.'));
    if (wildcard && !context.dnsZone) throw new ConfigError(`--acme-domains ${wildcard}: a wildcard is proved by DNS-01, which needs --dns-zone`);
    acme = new AcmeCertificates(
      repo,
      served,
      {
        email: options.acme.email,
        directory: options.acme.directory ?? LETS_ENCRYPT_DIRECTORY,
        domains,
        preferredChallenge: options.acme.challenge ?? (context.dnsZone ? 'dns-01' : 'http-01'),
        dnsZone: context.dnsZone,
        renewAt: options.acme.renewAt ?? ACME_DEFAULTS.renewAt,
        checkEveryMs: options.acme.checkEveryMs ?? ACME_DEFAULTS.checkEveryMs,
        retry: options.acme.retry ?? ACME_DEFAULTS.retry,
      },
      services.log,
      context.notice,
    );
  }
  const challenges: TriggerFront[] = acme ? [acmeHttpChallenge((token) => repo.challengeValues(`http:${token}`).then((values) => values[0]))] : [];
  let httpsPort = options.listen.port;
  const redirect = redirectToHttps(() => httpsPort);
  const fronts = [...(context.fronts ?? []), ...challenges];
  const server = createTriggerServer(services, { tls: true, maxConnectionsPerSource: context.maxConnectionsPerSource, fronts });
  served.attach(server);
  const expiry = new ExpiryWatch(served, context.notice, services.log);
  return {
    served,
    server,
    plainFronts: [...challenges, ...(options.redirect ? [redirect] : [])],
    ...(acme ? { acmeTxt: (name: string) => repo.challengeValues(`dns:${name}`), acme } : {}),
    start(port) {
      httpsPort = port;
      acme?.start();
      expiry.start();
    },
    async close() {
      expiry.stop();
      files?.stop();
      await acme?.stop();
    },
  };
}
