import { Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { SERVER_DEFAULTS, startServer } from '../../server/start.js';

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

export function serverCommand(): Command {
  return new Command('server')
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
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).env('TRIPLINE_LOG_LEVEL').default(SERVER_DEFAULTS.logLevel))
    .addHelpText(
      'after',
      '\nThe admin API key comes from TRIPLINE_ADMIN_KEY; without it, the first start with an empty\nstore generates one and prints it once.',
    )
    .action(async (options: { host: string; port: number; db: string; publicUrl?: string; trustProxy: string[]; logLevel: string }) => {
      if (options.publicUrl) {
        try {
          new URL(options.publicUrl);
        } catch {
          throw new ConfigError(`--public-url "${options.publicUrl}" is not a URL`);
        }
      }
      const server = await startServer({ ...options, adminKey: process.env.TRIPLINE_ADMIN_KEY || undefined });
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
