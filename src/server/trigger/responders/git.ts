import type { TriggerReply } from '../reply.js';
import type { CredentialClient } from '../credential-client.js';

/**
 * Git over smart HTTP sends credentials only after a 401 with a Basic challenge. Once it has
 * sent them, a 403 (as a host answers a user without access to the repository) ends the clone
 * without git erasing the credential from its store, as a second 401 would: the decoy stays
 * planted and fires again next time.
 */
export function answerGit(reply: TriggerReply, client: CredentialClient): TriggerReply {
  reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-cache, max-age=0, must-revalidate');
  if (!client.credential) {
    return reply.code(401).header('www-authenticate', 'Basic realm="Git"').send('Authentication required\n');
  }
  return reply.code(403).send('Permission denied: you do not have access to this repository\n');
}
