import type { CredentialListener } from '../../tokens/kind.js';
import { ListenerKeyRepository } from '../../store/repositories/listener-keys.js';
import { TokenKeyRepository } from '../../store/repositories/token-keys.js';
import type { ListenAddress } from '../listen-address.js';
import type { Services } from '../services.js';
import { ListenerTokens } from './keyed-tokens.js';
import { publicHostOf } from '../../tokens/listener-endpoint.js';
import { mailExchangeOf } from '../dns/mail.js';
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

/**
 * Starts the credential listeners (SSH ...) and says in the artifact context where they are, so
 * kinds can point their artifacts at them. Nothing starts when no address is given.
 */
export async function startCredentialListeners(services: Services, options: CredentialListenerOptions): Promise<RunningCredentialListeners> {
  const running: { close(): Promise<void> }[] = [];
  const ports: RunningCredentialListeners['ports'] = {};
  const close = async () => {
    await Promise.all(running.map((listener) => listener.close()));
  };
  const tokens = new ListenerTokens(new TokenKeyRepository(services.store.db), services.recorder, services.log);
  const listenerKeys = new ListenerKeyRepository(services.store.db);
  const refused = services.metrics.counter(
    'tripline_listener_connections_refused_total',
    'Connections to a credential listener (SSH, MySQL, SMTP) closed at once because their source, or the listener, held the most allowed; WireGuard handshakes dropped unread over the rate limit.',
    ['listener'],
  );
  try {
    if (options.ssh) {
      const ssh = await startSshListener({
        address: options.ssh,
        tokens,
        hostKeys: listenerKeys,
        log: services.log,
        refused: () => refused.inc({ listener: 'ssh' }),
      });
      running.push(ssh);
      ports.ssh = ssh.port;
    }
    if (options.smtp) {
      const mailDomain = configuredMailDomain(options, services.artifacts.dnsZone) ?? publicHostOf(services.artifacts);
      const smtp = await startSmtpListener({
        address: options.smtp,
        tokens,
        mailDomain,
        hostname: mailExchangeOf(mailDomain),
        log: services.log,
        refused: () => refused.inc({ listener: 'smtp' }),
      });
      running.push(smtp);
      ports.smtp = smtp.port;
      services.artifacts.mailDomain = mailDomain;
    }
    if (options.wireguard) {
      const wireguard = await startWireguardListener({
        address: options.wireguard,
        tokens,
        keys: listenerKeys,
        log: services.log,
        dropped: () => refused.inc({ listener: 'wireguard' }),
      });
      running.push(wireguard);
      ports.wireguard = wireguard.port;
      services.artifacts.wireguardPublicKey = wireguard.publicKey;
    }
    if (options.mysql) {
      const mysql = await startMysqlListener({ address: options.mysql, tokens, log: services.log, refused: () => refused.inc({ listener: 'mysql' }) });
      running.push(mysql);
      ports.mysql = mysql.port;
    }
  } catch (error) {
    await close();
    throw error;
  }
  services.artifacts.listeners = { ...services.artifacts.listeners, ...ports };
  return { ports, close };
}
