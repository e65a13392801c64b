import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { parseListenAddress, type ListenAddress } from '../../server/listen-address.js';
import type { AcmeChallengeType } from '../../server/tls/acme-certificates.js';
import { ACME_DEFAULTS, LETS_ENCRYPT_DIRECTORY } from '../../server/tls/acme-certificates.js';
import type { AdminTlsOptions, TlsOptions } from '../../server/tls/tls-plane.js';
import { duration } from './alert-options.js';

/** The TLS flags as commander hands them over. */
export interface TlsCliOptions {
  tlsListen?: ListenAddress;
  tlsCert?: string;
  tlsKey?: string;
  tlsRedirect?: boolean;
  acmeEmail?: string;
  acmeDirectory?: string;
  acmeDomains?: string[];
  acmeChallenge?: AcmeChallengeType;
  acmeRetry?: number;
  adminTls?: boolean;
  adminTlsCert?: string;
  adminTlsKey?: string;
}

function names(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
}

/** Adds --tls-listen, --tls-cert/--tls-key, --tls-redirect and the --acme-* flags. */
export function withTlsOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--tls-listen <host:port>', 'HTTPS trigger listener beside --listen (token paths over TLS); needs --tls-cert/--tls-key or --acme-email')
        .env('TRIPLINE_TLS_LISTEN')
        .argParser((value) => parseListenAddress(value, '--tls-listen')),
    )
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (with its chain) for --tls-listen; reloaded when the file changes').env('TRIPLINE_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'PEM private key for --tls-cert; reloaded when the file changes').env('TRIPLINE_TLS_KEY'))
    .addOption(
      new Option('--tls-redirect', 'the plain --listen answers requests that cannot be token URLs with a redirect to HTTPS (token URLs fire on both)').env(
        'TRIPLINE_TLS_REDIRECT',
      ),
    )
    .addOption(new Option('--acme-email <address>', 'obtain and renew the certificate by ACME with an account under this address').env('TRIPLINE_ACME_EMAIL'))
    .addOption(
      new Option(
        '--acme-directory <url>',
        `ACME directory (default Let's Encrypt: ${LETS_ENCRYPT_DIRECTORY}); trust a private CA's TLS with NODE_EXTRA_CA_CERTS`,
      ).env('TRIPLINE_ACME_DIRECTORY'),
    )
    .addOption(
      new Option('--acme-domains <list>', 'comma-separated names on the certificate (default: the --dns-zone and *.<zone>, else the --public-url host)')
        .env('TRIPLINE_ACME_DOMAINS')
        .argParser(names),
    )
    .addOption(
      new Option('--acme-challenge <type>', 'challenge tried first where offered (default dns-01 with --dns-zone, else http-01; wildcards are always dns-01)')
        .choices(['http-01', 'dns-01'])
        .env('TRIPLINE_ACME_CHALLENGE'),
    )
    .addOption(
      new Option('--acme-retry <duration>', `first retry after a failed order, doubling up to 6h (default ${ACME_DEFAULTS.retry.baseMs / 1000}s)`)
        .env('TRIPLINE_ACME_RETRY')
        .argParser(duration('--acme-retry')),
    )
    .addOption(new Option('--admin-tls', 'HTTPS on --admin-listen with the --tls-listen certificate').env('TRIPLINE_ADMIN_TLS'))
    .addOption(
      new Option('--admin-tls-cert <file>', "HTTPS on --admin-listen with this PEM certificate (the admin plane's own); reloaded when it changes").env(
        'TRIPLINE_ADMIN_TLS_CERT',
      ),
    )
    .addOption(new Option('--admin-tls-key <file>', 'PEM private key for --admin-tls-cert').env('TRIPLINE_ADMIN_TLS_KEY'));
}

/** The admin listener's TLS from the flags; undefined for plain HTTP. */
export function adminTlsFrom(flags: TlsCliOptions): AdminTlsOptions | undefined {
  if (!flags.adminTlsCert !== !flags.adminTlsKey) throw new ConfigError('--admin-tls-cert and --admin-tls-key go together');
  if (flags.adminTls && flags.adminTlsCert) throw new ConfigError('give either --admin-tls (the --tls-listen certificate) or --admin-tls-cert/--admin-tls-key');
  if (flags.adminTlsCert && flags.adminTlsKey) return { cert: flags.adminTlsCert, key: flags.adminTlsKey };
  return flags.adminTls ? 'same' : undefined;
}

/** The server's TLS settings from the flags; undefined without --tls-listen. */
export function tlsOptionsFrom(flags: TlsCliOptions): TlsOptions | undefined {
  const acmeFlags = [flags.acmeDirectory, flags.acmeDomains, flags.acmeChallenge, flags.acmeRetry].some((value) => value !== undefined);
  if (!flags.tlsListen) {
    if (flags.tlsCert || flags.tlsKey || flags.tlsRedirect || flags.acmeEmail || acmeFlags) {
      throw new ConfigError('--tls-cert, --tls-key, --tls-redirect and the --acme-* flags need --tls-listen (the HTTPS trigger listener)');
    }
    return undefined;
  }
  if (!flags.tlsCert !== !flags.tlsKey) throw new ConfigError('--tls-cert and --tls-key go together');
  if (flags.tlsCert && flags.acmeEmail) throw new ConfigError('give either --tls-cert/--tls-key or --acme-email, not both');
  if (!flags.tlsCert && !flags.acmeEmail) throw new ConfigError('--tls-listen needs a certificate: --tls-cert and --tls-key, or --acme-email to obtain one');
  if (acmeFlags && !flags.acmeEmail) throw new ConfigError('--acme-directory, --acme-domains, --acme-challenge and --acme-retry need --acme-email');
  if (flags.acmeDirectory && !/^https:\/\//.test(flags.acmeDirectory))
    throw new ConfigError(`--acme-directory "${flags.acmeDirectory}" is not an https:// URL`);
  if (flags.acmeEmail && !/^[^\s@]+@[^\s@]+$/.test(flags.acmeEmail)) throw new ConfigError(`--acme-email "${flags.acmeEmail}" is not an email address`);
  return {
    listen: flags.tlsListen,
    redirect: flags.tlsRedirect ?? false,
    ...(flags.tlsCert && flags.tlsKey ? { files: { cert: flags.tlsCert, key: flags.tlsKey } } : {}),
    ...(flags.acmeEmail
      ? {
          acme: {
            email: flags.acmeEmail,
            directory: flags.acmeDirectory,
            domains: flags.acmeDomains,
            challenge: flags.acmeChallenge,
            ...(flags.acmeRetry ? { retry: { baseMs: flags.acmeRetry, maxMs: ACME_DEFAULTS.retry.maxMs } } : {}),
          },
        }
      : {}),
  };
}
