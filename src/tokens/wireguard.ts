import { randomInt } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import { wireguardKeyPair } from './decoys/wireguard-keys.js';
import type { TokenKind } from './kind.js';
import { endpointOf, listenerEndpoint } from './listener-endpoint.js';
import { configString } from './options.js';

/** The lookup key a client's public key is stored under (token_keys). */
export function wireguardLookupKey(publicKey: string): string {
  return `wireguard:${publicKey}`;
}

/** An [Interface]/[Peer] config as wg-quick reads it (wg setconf takes it without Address and DNS). */
function wgConfig(config: Record<string, unknown>): string {
  const { host, port } = endpointOf(config);
  const endpoint = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return [
    '[Interface]',
    `PrivateKey = ${configString(config, 'privateKey', '')}`,
    `Address = ${configString(config, 'address', '10.8.0.2/32')}`,
    '',
    '[Peer]',
    `PublicKey = ${configString(config, 'serverPublicKey', '')}`,
    `Endpoint = ${endpoint}`,
    `AllowedIPs = ${configString(config, 'allowedIps', '10.8.0.0/24')}`,
    'PersistentKeepalive = 25',
    '',
  ].join('\n');
}

/**
 * A WireGuard client config with fresh keys whose peer is Tripline's WireGuard listener: bringing
 * the tunnel up sends a handshake, and the client's public key names the token.
 */
export const wireguardTokenKind: TokenKind = {
  kind: 'wireguard',
  title: 'WireGuard config: a VPN client config that alerts when the tunnel is brought up',
  prepare(_id, _input, context) {
    const endpoint = listenerEndpoint(context, 'wireguard', 'wireguard');
    if (!context.wireguardPublicKey)
      throw new ValidationError('the WireGuard listener has no key yet; try again once the server has started', { field: 'kind' });
    const pair = wireguardKeyPair();
    const net = `10.${randomInt(8, 250)}.${randomInt(0, 256)}`;
    return {
      ...endpoint,
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      serverPublicKey: context.wireguardPublicKey,
      address: `${net}.${randomInt(2, 250)}/32`,
      // Only the tunnel's own network: a config that grabbed all traffic would give itself away.
      allowedIps: `${net}.0/24`,
    };
  },
  lookupKeys: (config) => (typeof config.publicKey === 'string' ? [wireguardLookupKey(config.publicKey)] : []),
  artifact(token) {
    return {
      file: { name: 'wg0.conf', content: wgConfig(token.config), mode: 0o600 },
      usage: 'Leave wg0.conf where a VPN config would be (/etc/wireguard, a laptop backup); bringing the tunnel up (wg-quick up) fires the token.',
    };
  },
};
