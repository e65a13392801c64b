import { ConfigError } from '../../core/errors.js';
import type { CredentialListener } from '../../tokens/kind.js';
import { publicHostOf } from '../../tokens/listener-endpoint.js';
import { ListenerKeyRepository } from '../../store/repositories/listener-keys.js';
import { TokenKeyRepository } from '../../store/repositories/token-keys.js';
import { mailExchangeOf } from '../dns/mail.js';
import { listenerUrl, type ListenAddress } from '../listen-address.js';
import type { Services } from '../services.js';
import { ListenerTokens } from './keyed-tokens.js';
import { startMysqlListener } from './mysql.js';
import { startSmtpListener } from './smtp.js';
import { startSshListener } from './ssh.js';
import { startWireguardListener } from './wireguard.js';

/** The credential listeners to run: each is off unless its address is given. */
export interface CredentialListenerOptions {
  ssh?: ListenAddress;
  mysql?: ListenAddress;
  smtp?: ListenAddress;
  wireguard?: ListenAddress;
  /** Domain the SMTP listener takes mail for; the DNS zone, else the public host, when omitted. */
  mailDomain?: string;
}

/** The email tokens' domain when the SMTP listener runs: --mail-domain, else the DNS zone (the public host is the last resort, below). */
export function configuredMailDomain(options: CredentialListenerOptions, dnsZone: string | undefined): string | undefined {
  return options.smtp ? (options.mailDomain ?? dnsZone) : undefined;
}

export interface RunningCredentialListeners {
  /** The bound port of each listener that runs. */
  ports: Partial<Record<CredentialListener, number>>;
  close(): Promise<void>;
}

interface Started {
  port: number;
  close(): Promise<void>;
}

const LISTENERS: CredentialListener[] = ['ssh', 'mysql', 'smtp', 'wireguard'];

/**
 * Starts the credential listeners that have an address and says in the artifact context where
 * they are, so kinds can point their artifacts at them. One that cannot bind stops the start,
 * named by its flag, and closes those already started.
 */
export async function startCredentialListeners(services: Services, options: CredentialListenerOptions): Promise<RunningCredentialListeners> {
  const { artifacts, log } = services;
  const tokens = new ListenerTokens(new TokenKeyRepository(services.store.db), services.recorder, log);
  const keys = new ListenerKeyRepository(services.store.db);
  const refused = services.metrics.counter(
    'tripline_listener_connections_refused_total',
    'Connections to a credential listener (SSH, MySQL, SMTP) closed at once because their source, or the listener, held the most allowed; WireGuard handshakes dropped unread over the rate limit.',
    ['listener'],
  );
  const starters: Record<CredentialListener, (address: ListenAddress) => Promise<Started>> = {
    ssh: (address) => startSshListener({ address, tokens, hostKeys: keys, log, refused: () => refused.inc({ listener: 'ssh' }) }),
    mysql: (address) => startMysqlListener({ address, tokens, log, refused: () => refused.inc({ listener: 'mysql' }) }),
    async smtp(address) {
      const mailDomain = configuredMailDomain(options, artifacts.dnsZone) ?? publicHostOf(artifacts);
      const smtp = await startSmtpListener({
        address,
        tokens,
        mailDomain,
        hostname: mailExchangeOf(mailDomain),
        log,
        refused: () => refused.inc({ listener: 'smtp' }),
      });
      artifacts.mailDomain = mailDomain;
      return smtp;
    },
    async wireguard(address) {
      const wireguard = await startWireguardListener({ address, tokens, keys, log, dropped: () => refused.inc({ listener: 'wireguard' }) });
      artifacts.wireguardPublicKey = wireguard.publicKey;
      return wireguard;
    },
  };

  const running: Started[] = [];
  const ports: RunningCredentialListeners['ports'] = {};
  const close = async () => {
    await Promise.all(running.map((listener) => listener.close()));
  };
  for (const name of LISTENERS) {
    const address = options[name];
    if (!address) continue;
    try {
      const listener = await starters[name](address);
      running.push(listener);
      ports[name] = listener.port;
    } catch (error) {
      await close();
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigError(`--${name}-listen ${new URL(listenerUrl(address.host, address.port)).host}: cannot listen there (${reason})`, { reason });
    }
  }
  artifacts.listeners = { ...artifacts.listeners, ...ports };
  return { ports, close };
}
