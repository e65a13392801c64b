import type { IncomingMessage, ServerResponse } from 'node:http';
import { candidateTokenIds } from '../trigger/find-token-id.js';
import { splitTarget } from '../trigger/capture.js';
import { recognizeCredentialClient } from '../trigger/credential-client.js';

/** Answers a request before the trigger does, or declines (false) and the trigger answers it. */
export type TriggerFront = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

export const HTTP_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/**
 * HTTP-01: the CA fetches /.well-known/acme-challenge/<token> and expects the key authorization.
 * Answers come from the store, so any replica the CA reaches can answer; a path with no pending
 * challenge falls through to the trigger, which answers it like any other unknown path.
 */
export function acmeHttpChallenge(lookup: (token: string) => Promise<string | undefined>): TriggerFront {
  return (request, response) => {
    const url = request.url ?? '/';
    if (!url.startsWith(HTTP_CHALLENGE_PREFIX) || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const token = url.slice(HTTP_CHALLENGE_PREFIX.length);
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(token)) return false;
    return lookup(token).then(
      (answer) => {
        if (answer === undefined) return false;
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(answer) });
        response.end(request.method === 'HEAD' ? undefined : answer);
        return true;
      },
      () => false,
    );
  };
}

/**
 * The plain listener beside an HTTPS one: a request that cannot be a trigger (no token-id-shaped
 * path segment, no credential client's request shape) is sent to HTTPS, so a person typing the
 * host name lands on HTTPS. Token URLs fire over plain HTTP as before, and an unknown or disabled
 * id in the same shape is not redirected either, so the redirect tells nothing about which ids exist.
 */
export function redirectToHttps(httpsPort: () => number): TriggerFront {
  return (request, response) => {
    const { path, query } = splitTarget(request.url ?? '/');
    if (candidateTokenIds(path).length > 0 || recognizeCredentialClient({ path, query, headers: request.headers })) return false;
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    if (!/^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/.test(host)) return false;
    const port = httpsPort() === 443 ? '' : `:${httpsPort()}`;
    response.writeHead(308, { location: `https://${host}${port}${request.url ?? '/'}`, 'content-length': 0 });
    response.end();
    return true;
  };
}

/** The fronts in order, then the trigger. */
export function withFronts(fronts: TriggerFront[], trigger: (request: IncomingMessage, response: ServerResponse) => void) {
  if (fronts.length === 0) return trigger;
  // A loop while the fronts answer at once (every request, on a plain listener), a continuation
  // only from a front that must look something up.
  const from = (start: number, request: IncomingMessage, response: ServerResponse): void => {
    for (let index = start; index < fronts.length; index++) {
      const taken = fronts[index]!(request, response);
      if (taken === true) return;
      if (taken !== false) {
        taken.then(
          (yes) => (yes ? undefined : from(index + 1, request, response)),
          () => from(index + 1, request, response),
        );
        return;
      }
    }
    trigger(request, response);
  };
  return (request: IncomingMessage, response: ServerResponse): void => from(0, request, response);
}
