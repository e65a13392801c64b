/**
 * A decoy planted into containers: what file to write (path inside the container, content,
 * owner, mode) and which containers get a copy (namespace, pod labels, container name, image).
 * It is one document of a policy file, `kind: ContainerDecoy`, next to the TracingPolicy that
 * watches the copies, as Koney's DeceptionPolicy pairs a trap with its captor; the agent plants
 * the copies and watches exactly those (see docs/kubernetes.md).
 */
import { Document, parseDocument } from 'yaml';
import { ValidationError } from '../core/errors.js';
import type { PodInfo } from '../core/file-event.js';
import { generatePolicy, type GenerateOptions } from './generate.js';
import { TOKEN_LABEL } from './model.js';
import { readLabelSelector, scopeApplies, type LabelSelector, type PodScope } from './pod-scope.js';
import type { Cursor } from './reader.js';

export const DECOY_API_VERSION = 'tripline.dev/v1alpha1';
export const CONTAINER_DECOY_KIND = 'ContainerDecoy';

export interface ContainerDecoy {
  name: string;
  tokenId: string | null;
  file: { path: string; content: string; mode: number; uid: number; gid: number };
  match: PodScope & { images: string[] };
  /** The policy file it was read from; its TracingPolicies watch the planted copies. */
  source: string;
}

/** Image patterns: "*" stands for any run of characters, everything else is literal. */
export function imageMatches(patterns: readonly string[], image: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(image),
  );
}

/** Whether the decoy goes into this container. */
export function decoyTargets(decoy: ContainerDecoy, pod: PodInfo): boolean {
  return scopeApplies(decoy.match, pod) && imageMatches(decoy.match.images, pod.container.image);
}

const SAFE_PATH = /^\/(?:[^/\0]+\/)*[^/\0]+$/;

/** Reads one `kind: ContainerDecoy` document; problems go to the cursor's context. */
export function readContainerDecoy(root: Cursor): ContainerDecoy | undefined {
  const top = root.fields(['apiVersion', 'kind', 'metadata', 'spec']);
  const version = top?.require('apiVersion')?.string();
  if (!top || version === undefined) return undefined;
  if (version !== DECOY_API_VERSION) return top.get('apiVersion').error(`must be ${DECOY_API_VERSION}, got ${JSON.stringify(version)}`);
  const meta = top.require('metadata')?.fields(['name', 'labels', 'annotations']);
  const name = meta?.require('name')?.string();
  const labels = meta?.get('labels').stringMap();
  const spec = top.require('spec')?.fields(['file', 'match']);
  const file = spec?.require('file')?.fields(['path', 'content', 'mode', 'uid', 'gid']);
  const pathAt = file?.require('path');
  const path = pathAt?.string();
  const content = file?.require('content')?.string();
  const modeText = file?.get('mode').present ? file.get('mode').text() : '0600';
  const uid = file?.get('uid').present ? file.get('uid').integer(0, 2 ** 32 - 2) : 0;
  const gid = file?.get('gid').present ? file.get('gid').integer(0, 2 ** 32 - 2) : 0;
  if (!file || !labels || name === undefined || path === undefined || content === undefined || modeText === undefined || uid === undefined || gid === undefined)
    return undefined;
  if (!SAFE_PATH.test(path) || path.split('/').some((c) => c === '.' || c === '..')) {
    return pathAt!.error('must be an absolute path inside the container without "." or ".." components');
  }
  const mode = Number.parseInt(modeText, 8);
  if (!/^0?[0-7]{3}$/.test(modeText)) return file.get('mode').error(`must be an octal mode such as "0600", got ${JSON.stringify(modeText)}`);
  const match: ContainerDecoy['match'] = { images: [] };
  const m = spec?.get('match').present ? spec.get('match').fields(['namespace', 'podSelector', 'containerSelector', 'images']) : undefined;
  if (m) {
    if (m.has('namespace')) match.namespace = m.get('namespace').string();
    for (const key of ['podSelector', 'containerSelector'] as const) {
      const selector: LabelSelector | undefined = m.has(key) ? readLabelSelector(m.get(key)) : undefined;
      if (selector) match[key] = selector;
    }
    match.images = (m.get('images').items() ?? []).map((i) => i.string()).filter((i): i is string => i !== undefined);
  }
  // A decoy for every container of every pod on the node is almost certainly a mistake.
  if (match.namespace === undefined && !match.podSelector && !match.containerSelector && match.images.length === 0) {
    return (spec?.get('match') ?? top.get('spec')).error('needs at least one of namespace, podSelector, containerSelector, images');
  }
  return { name, tokenId: labels[TOKEN_LABEL] ?? null, file: { path, content, mode, uid, gid }, match, source: root.ctx.file };
}

export interface ContainerDecoyOptions extends GenerateOptions {
  content: string;
  namespace?: string;
  podLabels: Record<string, string>;
  container?: string;
  images: string[];
  fileMode?: number;
}

/**
 * The policy file for a container decoy: the ContainerDecoy document, then the TracingPolicy
 * (namespaced when a namespace is given) scoped to the same pods, watching the path inside them.
 */
export function generateContainerDecoy(options: ContainerDecoyOptions): string {
  const name = options.name ?? `tripline-${options.tokenId}`.toLowerCase();
  const podSelector = Object.keys(options.podLabels).length > 0 ? { matchLabels: options.podLabels } : undefined;
  const containerSelector = options.container ? { matchLabels: { name: options.container } } : undefined;
  const match = {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(podSelector ? { podSelector } : {}),
    ...(containerSelector ? { containerSelector } : {}),
    ...(options.images.length > 0 ? { images: options.images } : {}),
  };
  if (Object.keys(match).length === 0)
    throw new ValidationError('a container decoy needs a namespace, a pod label, a container name or an image', { field: 'match' });
  const decoy = new Document({
    apiVersion: DECOY_API_VERSION,
    kind: CONTAINER_DECOY_KIND,
    metadata: { name, labels: { [TOKEN_LABEL]: options.tokenId } },
    spec: { file: { path: options.path, mode: `0${(options.fileMode ?? 0o600).toString(8)}`, uid: 0, gid: 0, content: options.content }, match },
  });
  const policy = parseDocument(generatePolicy({ ...options, name }));
  if (options.namespace) {
    policy.set('kind', 'TracingPolicyNamespaced');
    policy.setIn(['metadata', 'namespace'], options.namespace);
  }
  if (podSelector) policy.setIn(['spec', 'podSelector'], podSelector);
  if (containerSelector) policy.setIn(['spec', 'containerSelector'], containerSelector);
  return `${decoy.toString()}---\n${policy.toString()}`;
}
