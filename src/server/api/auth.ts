import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, ForbiddenError } from '../../core/errors.js';
import type { ApiKey, ApiKeyRepository, KeyRole } from '../../store/repositories/api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** A preHandler that admits only keys of the given roles. */
export function requireKey(keys: ApiKeyRepository, roles: KeyRole[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const presented = bearer(request);
    if (!presented) throw new AuthError();
    const key = await keys.authenticate(presented);
    if (!key) throw new AuthError('the API key is not valid');
    if (!roles.includes(key.role)) throw new ForbiddenError(`a ${key.role} key cannot do this; it needs a ${roles.join(' or ')} key`);
    request.apiKey = key;
  };
}
