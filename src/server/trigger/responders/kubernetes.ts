import { randomUUID } from 'node:crypto';
import type { TriggerReply } from '../reply.js';
import type { CredentialClient } from '../credential-client.js';

/** The path as the API server behind a cluster proxy (/k8s/clusters/<id>/...) would see it. */
function apiPath(path: string): string {
  const inner = path.replace(/^.*?\/k8s\/clusters\/[^/]+/, '') || '/';
  return inner.length > 256 ? inner.slice(0, 256) : inner;
}

/**
 * Answers as kube-apiserver does: 401 Status for a token it does not accept, 403 for an
 * anonymous request. kubectl sends the kubeconfig's token only over https, then reports
 * "You must be logged in to the server (Unauthorized)".
 */
export function answerKubernetes(reply: TriggerReply, client: CredentialClient, path: string): TriggerReply {
  reply.header('content-type', 'application/json').header('cache-control', 'no-cache, private').header('audit-id', randomUUID());
  const status = client.credential
    ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }
    : {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `forbidden: User "system:anonymous" cannot get path "${apiPath(path)}"`,
        reason: 'Forbidden',
        details: {},
        code: 403,
      };
  return reply.code(status.code).send(JSON.stringify(status));
}
