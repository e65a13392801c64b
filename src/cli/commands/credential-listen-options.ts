import { type Command, Option } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { HOSTNAME, parseListenAddress, type ListenAddress } from '../../server/listen-address.js';
import type { ServerOptions } from '../../server/start.js';

/** The credential listener flags as commander hands them over. */
export interface CredentialListenCliOptions {
  sshListen?: ListenAddress;
  mysqlListen?: ListenAddress;
  smtpListen?: ListenAddress;
  wireguardListen?: ListenAddress;
  mailDomain?: string;
  publicHost?: string;
}

function address(flag: string) {
  return (value: string): ListenAddress => parseListenAddress(value, flag);
}

function hostName(flag: string) {
  return (value: string): string => {
    const name = value.trim().replace(/\.$/, '').toLowerCase();
    if (!HOSTNAME.test(name)) throw new ConfigError(`${flag}: "${value}" is not a host name`, { value });
    return name;
  };
}

/** Adds --ssh-listen, --mysql-listen, --smtp-listen, --wireguard-listen, --mail-domain and --public-host. */
export function withCredentialListenOptions(command: Command): Command {
  const listener = (name: string, what: string) =>
    new Option(`--${name}-listen <host:port>`, `${what}; off unless given`).env(`TRIPLINE_${name.toUpperCase()}_LISTEN`).argParser(address(`--${name}-listen`));
  return command
    .addOption(listener('ssh', 'SSH listener for ssh-key tokens (refuses every login)'))
    .addOption(listener('mysql', 'MySQL listener for mysql-dump tokens (refuses every login)'))
    .addOption(listener('smtp', 'SMTP listener for email tokens (accepts mail for --mail-domain)'))
    .addOption(listener('wireguard', 'WireGuard UDP listener for wireguard tokens (reads handshakes, never answers)'))
    .addOption(
      new Option('--mail-domain <domain>', "domain of email tokens' addresses (default: the --dns-zone, else the public host)")
        .env('TRIPLINE_MAIL_DOMAIN')
        .argParser(hostName('--mail-domain')),
    )
    .addOption(
      new Option('--public-host <name>', "host name SSH, MySQL, SMTP and WireGuard artifacts point clients at (default: the --public-url's host)")
        .env('TRIPLINE_PUBLIC_HOST')
        .argParser(hostName('--public-host')),
    );
}

export function credentialListenersFrom(options: CredentialListenCliOptions): Pick<ServerOptions, 'credentialListeners' | 'publicHost'> {
  if (options.mailDomain && !options.smtpListen) throw new ConfigError('--mail-domain needs --smtp-listen (the listener that takes the mail)');
  return {
    credentialListeners: {
      ...(options.sshListen ? { ssh: options.sshListen } : {}),
      ...(options.mysqlListen ? { mysql: options.mysqlListen } : {}),
      ...(options.smtpListen ? { smtp: options.smtpListen } : {}),
      ...(options.wireguardListen ? { wireguard: options.wireguardListen } : {}),
      ...(options.mailDomain ? { mailDomain: options.mailDomain } : {}),
    },
    ...(options.publicHost ? { publicHost: options.publicHost } : {}),
  };
}
