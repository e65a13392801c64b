import { ValidationError } from '../core/errors.js';
import type { ArtifactContext, CredentialListener } from './kind.js';
import { publicUrlOf } from './options.js';

const FLAGS: Record<CredentialListener, string> = {
  ssh: '--ssh-listen',
  mysql: '--mysql-listen',
  smtp: '--smtp-listen',
  wireguard: '--wireguard-listen',
};

export interface ListenerEndpoint {
  host: string;
  port: number;
}

/** The host clients are pointed at: --public-host, else the public URL's host (brackets off an IPv6 literal). */
export function publicHostOf(context: ArtifactContext): string {
  return context.publicHost ?? publicUrlOf(context).hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Where a credential's client is sent, fixed when the token is created (kept in its config, so
 * the artifact never changes under it). A kind whose listener is off cannot be created: its
 * artifact would point nowhere.
 */
export function listenerEndpoint(context: ArtifactContext, listener: CredentialListener, kind: string): ListenerEndpoint {
  const port = context.listeners?.[listener];
  if (port === undefined) {
    throw new ValidationError(`this server runs no ${listener} listener: start it with ${FLAGS[listener]} HOST:PORT to create ${kind} tokens`, {
      field: 'kind',
    });
  }
  return { host: publicHostOf(context), port };
}

export function endpointOf(config: Record<string, unknown>): ListenerEndpoint {
  return { host: typeof config.host === 'string' ? config.host : '127.0.0.1', port: typeof config.port === 'number' ? config.port : 0 };
}
