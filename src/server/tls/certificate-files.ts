import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { ConfigError } from '../../core/errors.js';
import type { ServedCertificate } from './served-certificate.js';

/** How often the files' modification times are compared: renewals are rare, a second is plenty. */
const POLL_MS = 1_000;

function read(certFile: string, keyFile: string, from: string): { certPem: string; keyPem: string } {
  try {
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  } catch (error) {
    throw new ConfigError(`${from}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      certFile,
      keyFile,
    });
  }
}

/**
 * Serves the certificate in --tls-cert/--tls-key and serves it anew whenever either file
 * changes (a renewal by certbot or a secret mount). The files are polled rather than watched
 * with inotify because tools replace them by renaming, or by swapping a symlink, which an
 * inotify watch on the old file never reports. A pair that does not load (a half-written file,
 * a key not yet swapped in) is logged and the previous certificate stays until the next change.
 */
export function serveCertificateFiles(
  certFile: string,
  keyFile: string,
  served: ServedCertificate,
  log: Logger,
  certFlag = '--tls-cert',
  keyFlag = '--tls-key',
): { stop(): void } {
  const from = `${certFlag} ${certFile} / ${keyFlag} ${keyFile}`;
  served.install(read(certFile, keyFile, from), from);
  const changed = (now: Stats, before: Stats) => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size && now.ino === before.ino) return;
    try {
      const facts = served.install(read(certFile, keyFile, from), from);
      log.info({ certFile, names: facts.names, notAfter: facts.notAfter }, 'tls certificate reloaded from its files');
    } catch (error) {
      log.error({ err: error, certFile, keyFile }, 'tls certificate files changed but do not load; still serving the previous certificate');
    }
  };
  watchFile(certFile, { interval: POLL_MS, persistent: false }, changed);
  watchFile(keyFile, { interval: POLL_MS, persistent: false }, changed);
  return {
    stop() {
      unwatchFile(certFile, changed);
      unwatchFile(keyFile, changed);
    },
  };
}
