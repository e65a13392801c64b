import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { ValidationError } from '../core/errors.js';
import { privateAddressKind } from './private-address.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Name to addresses; the system resolver unless a test gives its own. */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, order: 'verbatim' });

export const ALLOW_FLAG = '--allow-private-targets';

/** A channel target that resolves to an address channels may not reach. */
export class PrivateTargetError extends Error {
  readonly code = 'EPRIVATETARGET';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: string,
  ) {
    super(
      `${host === address ? address : `${host} resolves to ${address}`} (${kind}); channels may not send to such addresses unless the server runs with ${ALLOW_FLAG}`,
    );
    this.name = 'PrivateTargetError';
  }
}

/** The host of a URL as a resolver or isIP takes it: IPv6 literals without their brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The first address of the list channels may not reach, as an error; undefined when all are public. */
export function refusal(host: string, addresses: readonly string[]): PrivateTargetError | undefined {
  for (const address of addresses) {
    const kind = privateAddressKind(address);
    if (kind) return new PrivateTargetError(host, address, kind);
  }
  return undefined;
}

/** An IP literal host checked without any lookup (connecting to a literal never asks a resolver). */
export function literalRefusal(host: string): PrivateTargetError | undefined {
  return isIP(host) ? refusal(host, [host]) : undefined;
}

/**
 * The check when a channel is saved: a clear 400 naming the address. A name that does not resolve
 * now is accepted, since DNS may be briefly down; every delivery checks again when it connects.
 */
export async function checkChannelUrl(value: string, allowPrivate: boolean, resolve: Resolve = systemResolve, field = 'url'): Promise<void> {
  if (allowPrivate) return;
  const host = urlHost(new URL(value));
  let refused = literalRefusal(host);
  if (!refused && !isIP(host)) {
    const addresses = await resolve(host).catch(() => [] as ResolvedAddress[]);
    refused = refusal(
      host,
      addresses.map((a) => a.address),
    );
  }
  if (refused) throw new ValidationError(`${field}: ${refused.message}`, { field, address: refused.address });
}

/**
 * The `lookup` for the sockets deliveries open: the addresses a connection will actually use are
 * checked after resolution, so a name that answered with a public address when the channel was
 * saved and with a private one now (DNS rebinding) is still refused. Every address must pass,
 * since the connection may try any of them.
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const refused = allowPrivate
          ? undefined
          : refusal(
              hostname,
              all.map((a) => a.address),
            );
        if (refused) return callback(refused, '', 0);
        const addresses = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (addresses.length === 0) {
          return callback(Object.assign(new Error(`${hostname} has no address of the family asked for`), { code: 'ENOTFOUND' }), '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
