import type { DeploymentView } from './api/deployment.js';
import type { RunningDnsServer } from './dns/dns-server.js';
import type { ServerOptions } from './start.js';
import type { TlsPlane } from './tls/tls-plane.js';

/** The running server as GET /deployment shows it. */
export function deploymentView(
  options: Pick<ServerOptions, 'tls' | 'dns' | 'listen'>,
  tls: TlsPlane | undefined,
  running: { url: string; tlsUrl?: string; dashboardUrl: string; publicUrl: string; dns?: RunningDnsServer; serverTime: string; storeTime: string },
): DeploymentView {
  const certificate = tls?.served.current;
  return {
    publicUrl: running.publicUrl,
    triggerUrl: running.url,
    dashboardUrl: running.dashboardUrl,
    dns: running.dns ? { zone: running.dns.zone.name, host: options.dns?.host ?? options.listen.host, port: running.dns.port } : null,
    tls:
      tls && running.tlsUrl
        ? {
            url: running.tlsUrl,
            source: options.tls?.acme ? 'acme' : 'files',
            acme: tls.acme ? { directory: tls.acme.settings.directory, domains: tls.acme.settings.domains } : null,
            certificate: certificate
              ? {
                  subject: certificate.subject,
                  names: certificate.names,
                  issuer: certificate.issuer,
                  notBefore: certificate.notBefore,
                  notAfter: certificate.notAfter,
                  fingerprint256: certificate.fingerprint256,
                }
              : null,
          }
        : null,
    serverTime: running.serverTime,
    storeTime: running.storeTime,
  };
}
