import type { TriggerReply } from '../reply.js';
import type { CredentialClient } from '../credential-client.js';

/** Any other client presenting a key: the answer an API gives an expired or revoked one. */
export function answerApi(reply: TriggerReply, client: CredentialClient): TriggerReply {
  const challenge = client.credential?.scheme === 'basic' ? 'Basic realm="Restricted"' : 'Bearer realm="api", error="invalid_token"';
  return reply
    .code(401)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('www-authenticate', challenge)
    .send(JSON.stringify({ error: 'invalid_token', message: 'The access token is invalid or has expired.' }));
}
