import { Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { SERVER_DEFAULTS, startServer, type ServerOptions } from '../../server/start.js';
import { FLOOD_DEFAULTS } from '../../store/hit-sampling.js';
import { alertSettingsFrom, duration, whole, withAlertOptions, type AlertCliOptions } from './alert-options.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`port "${value}" is not a number from 0 to 65535`);
  return n;
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
}

interface DnsFlags {
  dnsZone?: string;
  dnsPort?: number;
  dnsAddress?: string[];
  dnsNameservers?: string[];
  dnsHost?: string;
}

/** The DNS listener's settings; it runs only when a zone is given. */
function dnsOptions(flags: DnsFlags): ServerOptions['dns'] {
  if (!flags.dnsZone) {
    if (flags.dnsPort !== undefined || flags.dnsAddress || flags.dnsNameservers || flags.dnsHost) {
      throw new ConfigError('--dns-port, --dns-address, --dns-nameservers and --dns-host need --dns-zone (the zone to answer for)');
    }
    return undefined;
  }
  return {
    zone: flags.dnsZone,
    port: flags.dnsPort ?? 53,
    addresses: flags.dnsAddress ?? [],
    nameservers: flags.dnsNameservers,
    host: flags.dnsHost,
  };
}

export function serverCommand(): Command {
  return withAlertOptions(new Command('server'))
    .description('Run the Tripline server: trigger endpoints, REST API, alert delivery.')
    .addOption(new Option('--host <address>', 'address to listen on').env('TRIPLINE_HOST').default(SERVER_DEFAULTS.host))
    .addOption(new Option('--port <port>', 'HTTP port').env('TRIPLINE_PORT').default(SERVER_DEFAULTS.port).argParser(port))
    .addOption(
      new Option('--db <location>', 'store: a SQLite file path or a postgres:// URL').env('TRIPLINE_DB').default(SERVER_DEFAULTS.db),
    )
    .addOption(
      new Option('--public-url <url>', 'base URL attackers reach the server at; trigger URLs are built from it').env('TRIPLINE_PUBLIC_URL'),
    )
    .addOption(
      new Option('--trust-proxy <list>', 'comma-separated proxy addresses/CIDRs whose X-Forwarded-For / X-Real-IP is believed')
        .env('TRIPLINE_TRUST_PROXY')
        .default([])
        .argParser(list),
    )
    .addOption(
      new Option('--dns-zone <zone>', 'serve this zone as authoritative DNS for dns tokens (UDP and TCP); delegate it to this server').env(
        'TRIPLINE_DNS_ZONE',
      ),
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
    .addOption(new Option('--dns-host <address>', 'address the DNS listener binds (default: --host)').env('TRIPLINE_DNS_HOST'))
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
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).env('TRIPLINE_LOG_LEVEL').default(SERVER_DEFAULTS.logLevel))
    .addHelpText(
      'after',
      '\nThe admin API key comes from TRIPLINE_ADMIN_KEY; without it, the first start with an empty\nstore generates one and prints it once.',
    )
    .action(async (options: { host: string; port: number; db: string; publicUrl?: string; trustProxy: string[]; logLevel: string } & StorageFlags & DnsFlags & AlertCliOptions) => {
      if (options.publicUrl) {
        try {
          new URL(options.publicUrl);
        } catch {
          throw new ConfigError(`--public-url "${options.publicUrl}" is not a URL`);
        }
      }
      const server = await startServer({
        ...options,
        dns: dnsOptions(options),
        adminKey: process.env.TRIPLINE_ADMIN_KEY || undefined,
        alerts: alertSettingsFrom(options),
        flood: { threshold: options.floodThreshold, sampleEvery: options.floodSampleEvery },
        hitRetentionMs: options.hitRetention,
      });
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
    });
}
