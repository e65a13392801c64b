import { BlockList, isIP } from 'node:net';
import { addRange, inRanges, parseAddressRange } from '../core/address-range.js';
import { ConfigError } from '../core/errors.js';

/** Strips the IPv4-mapped prefix Node reports for IPv4 peers on a dual-stack socket. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Decides who really sent a request. Forwarding headers are attacker-controlled unless the peer
 * is a proxy the operator named with --trust-proxy, so they are read only from those peers.
 */
export class ClientAddressResolver {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  constructor(trustProxy: string[]) {
    this.any = trustProxy.length > 0;
    for (const entry of trustProxy) {
      const range = parseAddressRange(entry);
      if (!range) {
        const reason = isIP(entry.split('/')[0] ?? '') === 0 ? 'is not an IP address or CIDR range' : 'has a bad prefix length';
        throw new ConfigError(`--trust-proxy: "${entry}" ${reason}`, { value: entry });
      }
      addRange(this.trusted, range);
    }
  }

  private isTrusted(address: string): boolean {
    return inRanges(this.trusted, address);
  }

  resolve(peer: string | undefined, headers: Record<string, string | string[] | undefined>): string {
    const socketAddress = normalizeAddress(peer);
    if (!this.any || !this.isTrusted(socketAddress)) return socketAddress;
    const forwarded = headers['x-forwarded-for'];
    const chain = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((part) => normalizeAddress(part.trim()))
      .filter((part) => isIP(part) !== 0);
    // Walk from the nearest hop outwards; the first address not one of our proxies is the client.
    for (let i = chain.length - 1; i >= 0; i--) {
      if (!this.isTrusted(chain[i]!)) return chain[i]!;
    }
    if (chain.length > 0) return chain[0]!;
    const realIp = headers['x-real-ip'];
    const real = normalizeAddress((Array.isArray(realIp) ? realIp[0] : realIp)?.trim());
    return isIP(real) !== 0 ? real : socketAddress;
  }
}
