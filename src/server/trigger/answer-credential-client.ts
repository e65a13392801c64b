import type { IncomingHttpHeaders } from 'node:http';
import type { TriggerReply } from './reply.js';
import type { CapturedBody } from '../../core/model/hit-detail.js';
import type { CredentialClient } from './credential-client.js';
import { answerApi } from './responders/api.js';
import { answerAws } from './responders/aws.js';
import { answerGit } from './responders/git.js';
import { answerKubernetes } from './responders/kubernetes.js';

export interface ClientRequest {
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body?: CapturedBody;
}

/** Answers a credential client the way its real server would, so it presents (or keeps) its credential. */
export function answerCredentialClient(reply: TriggerReply, client: CredentialClient, request: ClientRequest): TriggerReply {
  switch (client.kind) {
    case 'git':
      return answerGit(reply, client);
    case 'kubernetes':
      return answerKubernetes(reply, client, request.path);
    case 'aws':
      return answerAws(reply, client, request);
    case 'api':
      return answerApi(reply, client);
  }
}
