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

function isGit(shape: RequestShape): boolean {
  if (/^(git|JGit|go-git)\//i.test(headerText(shape.headers, 'user-agent'))) return true;
  if (/\/info\/refs$/.test(shape.path)) return /(^|&)service=git-/.test(shape.query);
  return /\/git-(upload|receive)-pack$/.test(shape.path);
}

function isKubernetes(shape: RequestShape): boolean {
  const agent = headerText(shape.headers, 'user-agent');
  const accept = headerText(shape.headers, 'accept');
  return (
    /(^kubectl|kubernetes\/|^helm\/|^k9s)/i.test(agent) ||
    /apidiscovery\.k8s\.io|application\/vnd\.kubernetes\.protobuf/.test(accept) ||
    // The path shape kubeconfig decoys use, so any client of that server URL is answered alike.
    /\/k8s\/clusters\//.test(shape.path)
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
