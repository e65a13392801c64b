import { isIP } from 'node:net';
import { ConfigError } from '../core/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A port from a flag or an environment variable: an integer from 0 (any free port) to 65535. */
export function parsePort(value: string, flag = 'port'): number {
  const n = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 65535) throw new ConfigError(`${flag}: "${value}" is not a port from 0 to 65535`, { value });
  return n;
}

/**
 * "HOST:PORT" as the listener flags take it: 127.0.0.1:8080, [::1]:8080, localhost:8080.
 * An IPv6 host must be bracketed, so the port is never guessed from an address's last group.
 */
export function parseListenAddress(value: string, flag: string): ListenAddress {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\]:([^:]*)$/.exec(text);
  const plain = /^([^:[\]]+):([^:]*)$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) {
    throw new ConfigError(`${flag}: "${value}" is not HOST:PORT (e.g. 127.0.0.1:8080, or [::1]:8080 for IPv6)`, { value });
  }
  const host = match[1]!;
  if (bracketed ? isIP(host) !== 6 : isIP(host) !== 4 && !HOSTNAME.test(host)) {
    throw new ConfigError(`${flag}: "${host}" in "${value}" is not ${bracketed ? 'an IPv6 address' : 'an IPv4 address or host name'}`, { value });
  }
  return { host, port: parsePort(match[2]!, flag) };
}

/** The URL a client uses to reach a listener; wildcard binds are reached over loopback. */
export function listenerUrl(host: string, port: number): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
