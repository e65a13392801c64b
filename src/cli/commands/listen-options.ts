import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { listenerUrl, parseListenAddress, parsePort, type ListenAddress } from '../../server/listen-address.js';
import { SERVER_DEFAULTS } from '../../server/start.js';
import { whole } from './alert-options.js';

/** The listener flags as commander hands them over. */
export interface ListenCliOptions {
  listen: ListenAddress;
  adminListen: ListenAddress;
  maxConnectionsPerSource: number;
  /** Deprecated spellings of --listen, kept for one release. */
  host?: string;
  port?: number;
}

function address(flag: string) {
  return (value: string): ListenAddress => parseListenAddress(value, flag);
}

function show(address: ListenAddress): string {
  return new URL(listenerUrl(address.host, address.port)).host;
}

/** Adds --listen, --admin-listen, --max-connections-per-source and the deprecated --host/--port. */
export function withListenOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--listen <host:port>', 'trigger listener (token paths only; the one to expose to the internet); [::1]:8080 for IPv6')
        .env('TRIPLINE_LISTEN')
        .default(SERVER_DEFAULTS.listen, show(SERVER_DEFAULTS.listen))
        .argParser(address('--listen')),
    )
    .addOption(
      new Option('--admin-listen <host:port>', 'admin listener (REST API, dashboard, agents, /metrics, /healthz); keep it private')
        .env('TRIPLINE_ADMIN_LISTEN')
        .default(SERVER_DEFAULTS.adminListen, show(SERVER_DEFAULTS.adminListen))
        .argParser(address('--admin-listen')),
    )
    .addOption(
      new Option('--max-connections-per-source <n>', 'connections one TCP peer may hold open on the trigger listener; more are closed at once')
        .env('TRIPLINE_MAX_CONNECTIONS_PER_SOURCE')
        .default(SERVER_DEFAULTS.maxConnectionsPerSource)
        .argParser(whole('--max-connections-per-source', 1, 1_000_000)),
    )
    .addOption(new Option('--host <address>', 'deprecated: use --listen HOST:PORT').env('TRIPLINE_HOST'))
    .addOption(new Option('--port <port>', 'deprecated: use --listen HOST:PORT').env('TRIPLINE_PORT').argParser((value) => parsePort(value, '--port')));
}

export interface ResolvedListeners {
  listen: ListenAddress;
  adminListen: ListenAddress;
  /** Set when the deprecated --host/--port chose the trigger listener: the line to log. */
  deprecation?: string;
}

/**
 * The two listeners from the flags. --host and --port (or TRIPLINE_HOST/TRIPLINE_PORT) still pick
 * the trigger listener for this release, with a deprecation line; given beside --listen they are
 * refused rather than one silently winning.
 */
export function resolveListeners(options: ListenCliOptions, command: Command): ResolvedListeners {
  const explicitListen = command.getOptionValueSource('listen') !== 'default';
  let listen = options.listen;
  let deprecation: string | undefined;
  if (options.host !== undefined || options.port !== undefined) {
    if (explicitListen)
      throw new ConfigError('--host/--port (TRIPLINE_HOST/TRIPLINE_PORT) are the old spelling of --listen (TRIPLINE_LISTEN): give only --listen HOST:PORT');
    const host = options.host ?? SERVER_DEFAULTS.listen.host;
    listen = parseListenAddress(
      `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${options.port ?? SERVER_DEFAULTS.listen.port}`,
      '--host/--port',
    );
    deprecation = `--host/--port (TRIPLINE_HOST/TRIPLINE_PORT) are deprecated and will be removed in the next release: use --listen ${show(listen)} (TRIPLINE_LISTEN)`;
  }
  const adminListen = options.adminListen;
  if (listen.port !== 0 && listen.port === adminListen.port && listen.host === adminListen.host) {
    throw new ConfigError(`--listen and --admin-listen are both ${show(listen)}: the trigger and admin listeners need different addresses`);
  }
  return { listen, adminListen, ...(deprecation ? { deprecation } : {}) };
}
