import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialClientKind, PresentedCredential } from '../../core/model/hit-detail.js';
import { readPresentedCredential, tokenIdsInCredential } from './presented-credential.js';

export interface CredentialClient {
  kind: CredentialClientKind;
  credential?: PresentedCredential;
}

export interface RequestShape {
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

// Every trigger request is tested against these: as module constants, not literals that would make
// a new RegExp object on each call. None is global or sticky, so test() keeps no state in them.
const GIT_AGENT = /^(git|JGit|go-git)\//i;
const GIT_REFS_PATH = /\/info\/refs$/;
const GIT_SERVICE_QUERY = /(^|&)service=git-/;
const GIT_PACK_PATH = /\/git-(upload|receive)-pack$/;
const KUBERNETES_AGENT = /(^kubectl|kubernetes\/|^helm\/|^k9s)/i;
const KUBERNETES_ACCEPT = /apidiscovery\.k8s\.io|application\/vnd\.kubernetes\.protobuf/;
const KUBECONFIG_PATH = /\/k8s\/clusters\//;

function isGit(shape: RequestShape): boolean {
  if (GIT_AGENT.test(headerText(shape.headers, 'user-agent'))) return true;
  if (GIT_REFS_PATH.test(shape.path)) return GIT_SERVICE_QUERY.test(shape.query);
  return GIT_PACK_PATH.test(shape.path);
}

function isKubernetes(shape: RequestShape): boolean {
  const agent = headerText(shape.headers, 'user-agent');
  const accept = headerText(shape.headers, 'accept');
  return (
    KUBERNETES_AGENT.test(agent) ||
    KUBERNETES_ACCEPT.test(accept) ||
    // The path shape kubeconfig decoys use, so any client of that server URL is answered alike.
    KUBECONFIG_PATH.test(shape.path)
  );
}

const AWS_HEADERS = ['x-amz-date', 'x-amz-target', 'x-amz-content-sha256'];

function isAws(shape: RequestShape, credential: PresentedCredential | undefined): boolean {
  if (credential?.scheme.startsWith('aws')) return true;
  for (const name of AWS_HEADERS) if (name in shape.headers) return true;
  return false;
}

/**
 * Which credential client sent a request, from its shape alone (never from the token it names,
 * so unknown and disabled ids get the same answer). Undefined for browsers and other fetchers,
 * which get the web bug's answer.
 */
export function recognizeCredentialClient(shape: RequestShape): CredentialClient | undefined {
  const credential = readPresentedCredential(shape.headers, shape.query);
  const withCredential = (kind: CredentialClientKind): CredentialClient => (credential ? { kind, credential } : { kind });
  if (isAws(shape, credential)) return withCredential('aws');
  if (isGit(shape)) return withCredential('git');
  if (isKubernetes(shape)) return withCredential('kubernetes');
  if (credential) return withCredential('api');
  return undefined;
}

export function credentialClientTokenIds(client: CredentialClient | undefined): string[] {
  return tokenIdsInCredential(client?.credential);
}
