import { Command, Option } from 'commander';
import pino from 'pino';
import { ConfigError } from '../../core/errors.js';
import { listenerUrl, parsePort } from '../../server/listen-address.js';
import { SERVER_DEFAULTS, startServer, type ServerOptions } from '../../server/start.js';
import { DNS_ANSWER_RATE } from '../../server/dns/dns-server.js';
import { FLOOD_DEFAULTS } from '../../store/hit-sampling.js';
import { alertSettingsFrom, duration, whole, withAlertOptions, type AlertCliOptions } from './alert-options.js';
import { credentialListenersFrom, withCredentialListenOptions, type CredentialListenCliOptions } from './credential-listen-options.js';
import { resolveListeners, withListenOptions, type ListenCliOptions } from './listen-options.js';
import { adminTlsFrom, tlsOptionsFrom, withTlsOptions, type TlsCliOptions } from './tls-options.js';

function port(value: string): number {
  return parsePort(value, '--dns-port');
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

interface StorageFlags {
  floodThreshold: number;
  floodSampleEvery: number;
  hitRetention?: number;
  agentSilentAfter?: number;
}

interface DnsFlags {
  dnsZone?: string;
  dnsPort?: number;
  dnsAddress?: string[];
  dnsNameservers?: string[];
  dnsHost?: string;
  dnsRateLimit?: number;
}

/** The DNS listener's settings; it runs only when a zone is given. */
function dnsOptions(flags: DnsFlags): ServerOptions['dns'] {
  if (!flags.dnsZone) {
    if (flags.dnsPort !== undefined || flags.dnsAddress || flags.dnsNameservers || flags.dnsHost || flags.dnsRateLimit !== undefined) {
      throw new ConfigError('--dns-port, --dns-address, --dns-nameservers, --dns-host and --dns-rate-limit need --dns-zone (the zone to answer for)');
    }
    return undefined;
  }
  return {
    zone: flags.dnsZone,
    port: flags.dnsPort ?? 53,
    addresses: flags.dnsAddress ?? [],
    nameservers: flags.dnsNameservers,
    host: flags.dnsHost,
    ...(flags.dnsRateLimit === undefined
      ? {}
      : { answerRate: flags.dnsRateLimit === 0 ? null : { ratePerSecond: flags.dnsRateLimit, burst: 2 * flags.dnsRateLimit } }),
  };
}

export function serverCommand(): Command {
  return withTlsOptions(withCredentialListenOptions(withAlertOptions(withListenOptions(new Command('server')))))
    .description('Run the Tripline server: the trigger listener (token URLs), the admin listener (REST API, dashboard, agents), alert delivery.')
    .addOption(new Option('--db <location>', 'store: a SQLite file path or a postgres:// URL').env('TRIPLINE_DB').default(SERVER_DEFAULTS.db))
    .addOption(new Option('--public-url <url>', 'base URL attackers reach the server at; trigger URLs are built from it').env('TRIPLINE_PUBLIC_URL'))
    .addOption(
      new Option(
        '--admin-public-url <url>',
        'base URL operators reach the admin listener at; dashboard links in alerts use it (default: the admin listener)',
      ).env('TRIPLINE_ADMIN_PUBLIC_URL'),
    )
    .addOption(
      new Option('--trust-proxy <list>', 'comma-separated proxy addresses/CIDRs whose X-Forwarded-For / X-Real-IP is believed')
        .env('TRIPLINE_TRUST_PROXY')
        .default([])
        .argParser(list),
    )
    .addOption(
      new Option('--dns-zone <zone>', 'serve this zone as authoritative DNS for dns tokens (UDP and TCP); delegate it to this server').env('TRIPLINE_DNS_ZONE'),
    )
    .addOption(new Option('--dns-port <port>', 'DNS port, UDP and TCP (default 53)').env('TRIPLINE_DNS_PORT').argParser(port))
    .addOption(
      new Option('--dns-address <list>', 'comma-separated IPv4/IPv6 addresses that token names, the zone apex and in-zone nameservers resolve to')
        .env('TRIPLINE_DNS_ADDRESS')
        .argParser(list),
    )
    .addOption(
      new Option('--dns-nameservers <list>', 'comma-separated NS names the parent zone delegates to (default ns1.<zone>)')
        .env('TRIPLINE_DNS_NAMESERVERS')
        .argParser(list),
    )
    .addOption(new Option('--dns-host <address>', 'address the DNS listener binds (default: the --listen host)').env('TRIPLINE_DNS_HOST'))
    .addOption(
      new Option(
        '--dns-rate-limit <n>',
        `UDP answers a second per client network (IPv4 /24, IPv6 /56), in bursts of twice that; 0 answers all (default ${DNS_ANSWER_RATE.ratePerSecond}); hits are recorded either way`,
      )
        .env('TRIPLINE_DNS_RATE_LIMIT')
        .argParser(whole('--dns-rate-limit', 0, 1_000_000)),
    )
    .addOption(
      new Option('--flood-threshold <n>', 'hits per token, source and minute stored in full before sampling (every hit is still counted)')
        .env('TRIPLINE_FLOOD_THRESHOLD')
        .default(FLOOD_DEFAULTS.threshold)
        .argParser(whole('--flood-threshold', 1, 1_000_000)),
    )
    .addOption(
      new Option('--flood-sample-every <n>', 'past the flood threshold, store one hit in every n in full')
        .env('TRIPLINE_FLOOD_SAMPLE_EVERY')
        .default(FLOOD_DEFAULTS.sampleEvery)
        .argParser(whole('--flood-sample-every', 1, 1_000_000)),
    )
    .addOption(
      new Option('--hit-retention <duration>', 'drop hit details older than this, hourly (counts stay), e.g. 365d; default: keep them')
        .env('TRIPLINE_HIT_RETENTION')
        .argParser(duration('--hit-retention')),
    )
    .addOption(new Option('--geoip-db <file>', 'MaxMind-format country or city database (.mmdb): country and city of hit sources').env('TRIPLINE_GEOIP_DB'))
    .addOption(new Option('--asn-db <file>', 'MaxMind-format ASN database (.mmdb): autonomous system of hit sources').env('TRIPLINE_ASN_DB'))
    .addOption(new Option('--reverse-dns', "look up hit sources' host names through this host's resolver (cached, 500 ms timeout)").env('TRIPLINE_REVERSE_DNS'))
    .addOption(
      new Option('--reverse-dns-server <ip[:port]>', "with --reverse-dns: ask this resolver instead of the host's (repeatable, or comma-separated)")
        .env('TRIPLINE_REVERSE_DNS_SERVER')
        .argParser((value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)]),
    )
    .addOption(
      new Option(
        '--agent-silent-after <duration>',
        'raise "agent silent" when an agent sends no heartbeat for this long (default: three of its own heartbeat intervals)',
      )
        .env('TRIPLINE_AGENT_SILENT_AFTER')
        .argParser(duration('--agent-silent-after')),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
        .env('TRIPLINE_LOG_LEVEL')
        .default(SERVER_DEFAULTS.logLevel),
    )
    .addHelpText(
      'after',
      '\nThe admin API key comes from TRIPLINE_ADMIN_KEY (32 characters or more; a new value revokes the\nkey the old one registered); without it, the first start with an empty store generates one and\nprints it once. More keys, with roles: tripline key --help.',
    )
    .action(
      async (
        options: {
          db: string;
          publicUrl?: string;
          adminPublicUrl?: string;
          trustProxy: string[];
          logLevel: string;
          geoipDb?: string;
          asnDb?: string;
          reverseDns?: boolean;
          reverseDnsServer?: string[];
        } & ListenCliOptions &
          StorageFlags &
          DnsFlags &
          AlertCliOptions &
          CredentialListenCliOptions &
          TlsCliOptions,
        command: Command,
      ) => {
        const { listen, adminListen, deprecation } = resolveListeners(options, command);
        for (const [flag, value] of [
          ['--public-url', options.publicUrl],
          ['--admin-public-url', options.adminPublicUrl],
        ] as const) {
          if (value && !URL.canParse(value)) throw new ConfigError(`${flag} "${value}" is not a URL`);
        }
        const log = pino({ level: options.logLevel });
        if (deprecation) log.warn({ listen: listenerUrl(listen.host, listen.port) }, deprecation);
        const server = await startServer(
          {
            ...options,
            listen,
            adminListen,
            dns: dnsOptions(options),
            adminKey: process.env.TRIPLINE_ADMIN_KEY || undefined,
            alerts: alertSettingsFrom(options),
            flood: { threshold: options.floodThreshold, sampleEvery: options.floodSampleEvery },
            hitRetentionMs: options.hitRetention,
            agentSilentAfterMs: options.agentSilentAfter,
            enrichment: { geoipDb: options.geoipDb, asnDb: options.asnDb, reverseDns: options.reverseDns, reverseDnsServers: options.reverseDnsServer },
            ...credentialListenersFrom(options),
            tls: tlsOptionsFrom(options),
            adminTls: adminTlsFrom(options),
          },
          log,
        );
        const stop = (signal: string) => {
          server.services.log.info({ signal }, 'shutting down');
          server.close().then(
            () => process.exit(0),
            (error: unknown) => {
              server.services.log.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      },
    );
}
