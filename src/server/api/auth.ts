import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AuthError, ForbiddenError, RateLimitedError } from '../../core/errors.js';
import { keyPrefix, type ApiKey, type ApiKeyRepository, type KeyRole } from '../../store/repositories/api-keys.js';
import type { ClientAddressResolver } from '../client-address.js';
import { AuthThrottle, throttleSource, type AuthThrottleSettings } from './auth-throttle.js';
import { KeyUsage } from './key-usage.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

/** Who may call a group of routes: `write` roles may use every method, `read` roles GET and HEAD only. */
export interface Access {
  write: readonly KeyRole[];
  read?: readonly KeyRole[];
}

/** The REST API: admins change things, viewers read everything a GET shows. */
export const API_ACCESS: Access = { write: ['admin'], read: ['viewer'] };
/** What only agents call: event batches and heartbeats. */
export const AGENT_ACCESS: Access = { write: ['agent'] };

const READ_METHODS = new Set(['GET', 'HEAD']);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function allowed(access: Access, role: KeyRole, method: string): boolean {
  return access.write.includes(role) || (READ_METHODS.has(method) && (access.read?.includes(role) ?? false));
}

function aRole(role: string): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

function refusal(role: KeyRole, roles: readonly KeyRole[]): ForbiddenError {
  return new ForbiddenError(`${aRole(role)} key cannot do this; it needs ${roles.map(aRole).join(' or ')} key`);
}

/**
 * Checks API keys for every admin-plane route. Failed checks are logged (source and the key's
 * shown prefix, never the key) and counted per source; after a burst the source is refused with
 * 429 for a while, whatever key it sends. That includes a correct key: answering a blocked source
 * by key would go on telling a guesser which guess was right, and would cost a store lookup per
 * request again. An operator behind the same address as the guesser waits out the block.
 * A request with no key at all is not counted or logged: it guesses nothing and costs no lookup.
 */
export class Authenticator {
  readonly usage: KeyUsage;
  private readonly throttle: AuthThrottle;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly addresses: ClientAddressResolver,
    private readonly log: Logger,
    throttle?: AuthThrottleSettings,
  ) {
    this.usage = new KeyUsage(keys, log);
    this.throttle = new AuthThrottle(throttle);
  }

  /** The key of an admitted request; throws the 401, 403 or 429 to answer otherwise. */
  async admit(request: FastifyRequest, reply: FastifyReply, access: Access): Promise<ApiKey> {
    const address = this.addresses.resolve(request.raw.socket.remoteAddress, request.headers);
    const source = throttleSource(address);
    const wait = this.throttle.blockedFor(source);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      void reply.header('retry-after', String(seconds));
      throw new RateLimitedError(`too many failed API key checks from this address; try again in ${seconds} s`, seconds);
    }
    const presented = bearer(request);
    if (!presented) throw new AuthError();
    const result = await this.keys.authenticate(presented);
    if (!result.ok) {
      this.log.warn({ source: address, keyPrefix: keyPrefix(presented), reason: result.reason }, 'API key refused');
      if (this.throttle.fail(source)) {
        this.log.warn({ source, blockSeconds: this.throttle.blockSeconds }, 'too many failed API key checks: refusing this source for a while');
      }
      throw new AuthError(result.reason === 'revoked' ? 'the API key has been revoked' : 'the API key is not valid');
    }
    const { key } = result;
    this.usage.used(key.id);
    if (!allowed(access, key.role, request.method)) {
      throw refusal(key.role, READ_METHODS.has(request.method) ? [...access.write, ...(access.read ?? [])] : access.write);
    }
    return key;
  }

  /** Writes the last-used times still pending: at shutdown, before the store closes. */
  close(): Promise<void> {
    return this.usage.close();
  }
}

/**
 * The key check as an onRequest hook: it runs before Fastify reads or parses a body, so a request
 * without a valid key never costs the server more than its headers.
 */
export function requireKey(auth: Authenticator, access: Access) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      request.apiKey = await auth.admit(request, reply, access);
    } catch (error) {
      // A refused request's body is never read; closing the connection after the answer stops the
      // server taking in (and discarding) the rest of it.
      if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) void reply.header('connection', 'close');
      throw error;
    }
  };
}

/** A narrower check for routes inside a group already behind requireKey (e.g. key management). */
export function requireRole(roles: readonly KeyRole[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const role = request.apiKey?.role;
    if (!role) throw new AuthError();
    if (!roles.includes(role)) throw refusal(role, roles);
  };
}
