import { basename, posix } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { generatePolicy, type GenerateAccess } from '../policy/index.js';
import type { Token } from '../store/repositories/tokens.js';
import { DECOY_KINDS, DECOY_TITLES, generateDecoy, isDecoyKind, type DecoyKind } from './decoys/index.js';
import type { Artifact, TokenKind, TokenOptions } from './kind.js';
import { configString, stringOption } from './options.js';
import { sshLookupKey } from './ssh-key.js';

const ACCESSES: readonly GenerateAccess[] = ['read', 'write', 'any'];
const MAX_PATH = 4096;
const NODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** The decoy as kept in the token's config: the agent plants exactly this content. */
export interface StoredDecoy {
  kind: DecoyKind;
  content: string;
  facts: Record<string, string>;
}

/**
 * A path the policy can name: absolute, normalised (no "..", no trailing "/"), printable. The
 * agent matches by inode, but the policy names the file by this path, so it must be exact.
 */
function decoyPath(input: TokenOptions): string {
  const value = input.options?.path;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError('options.path is required: the absolute path of the file to watch', { field: 'options.path' });
  }
  if (value.length > MAX_PATH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ValidationError(`options.path must be at most ${MAX_PATH} printable characters`, { field: 'options.path' });
  }
  if (!value.startsWith('/') || posix.normalize(value) !== value || value === '/' || value.endsWith('/')) {
    throw new ValidationError(`options.path must be an absolute, normalised file path such as /root/.ssh/id_ed25519, got ${JSON.stringify(value)}`, {
      field: 'options.path',
    });
  }
  return value;
}

function accessOf(input: TokenOptions): GenerateAccess {
  const value = input.options?.access ?? 'any';
  if (typeof value !== 'string' || !(ACCESSES as readonly string[]).includes(value)) {
    throw new ValidationError(`options.access must be one of ${ACCESSES.join(', ')}`, { field: 'options.access' });
  }
  return value as GenerateAccess;
}

function decoyKindOf(input: TokenOptions): DecoyKind | undefined {
  const value = input.options?.decoyKind;
  if (value === undefined || value === '' || value === 'none') return undefined;
  if (!isDecoyKind(value)) {
    throw new ValidationError(`options.decoyKind must be one of ${DECOY_KINDS.join(', ')} (or omitted to watch an existing file)`, {
      field: 'options.decoyKind',
    });
  }
  return value;
}

export function storedDecoyOf(token: Token): StoredDecoy | undefined {
  const decoy = token.config.decoy as Partial<StoredDecoy> | null | undefined;
  if (!decoy || !isDecoyKind(decoy.kind) || typeof decoy.content !== 'string') return undefined;
  return { kind: decoy.kind, content: decoy.content, facts: decoy.facts ?? {} };
}

/**
 * A watched file: a decoy Tripline writes (SSH key, AWS credentials, kubeconfig, .env, generic
 * secret) or an existing file. Its artifact is the TracingPolicy the host agent loads to watch
 * the file, and the decoy's content when there is one. Hits come from the agent, one per access,
 * with the process that made it; credential decoys also fire when their secrets are used.
 */
export const fileTokenKind: TokenKind = {
  kind: 'file',
  title: 'Decoy file: alerts with the process, user and host when anything reads or writes it',
  optionFields: [
    {
      name: 'path',
      label: 'Path on the host',
      type: 'text',
      required: true,
      placeholder: '/root/.ssh/id_ed25519',
      help: 'Absolute path of the file the agent watches.',
    },
    {
      name: 'decoyKind',
      label: 'Decoy content',
      type: 'select',
      help: 'Content Tripline generates for the file; "existing file" watches a file that is already there.',
      choices: [{ value: 'none', label: 'existing file (no decoy)' }, ...DECOY_KINDS.map((kind) => ({ value: kind, label: DECOY_TITLES[kind] }))],
    },
    {
      name: 'access',
      label: 'Accesses that alert',
      type: 'select',
      choices: [
        { value: 'any', label: 'reads and writes' },
        { value: 'read', label: 'reads only' },
        { value: 'write', label: 'writes only' },
      ],
    },
    { name: 'node', label: 'Host', type: 'text', help: 'The host the file lives on, for your records.' },
  ],
  prepare(id, input, context) {
    const path = decoyPath(input);
    const access = accessOf(input);
    const node = stringOption(input, 'node', NODE_PATTERN, 'a host name (letters, digits, ".", "_", "-")') ?? null;
    const kind = decoyKindOf(input);
    if (!kind) return { path, access, node, decoy: null, credentials: [] };
    const decoy = generateDecoy(kind, id, context);
    const stored: StoredDecoy = { kind, content: decoy.content, facts: decoy.facts };
    return { path, access, node, decoy: stored, credentials: decoy.credentials };
  },
  // A planted SSH key fires twice over: read on the watched host, and offered to the SSH listener from anywhere.
  lookupKeys(config) {
    const decoy = config.decoy as StoredDecoy | null | undefined;
    return decoy?.kind === 'ssh-key' && typeof decoy.facts?.fingerprint === 'string' ? [sshLookupKey(decoy.facts.fingerprint)] : [];
  },
  artifact(token) {
    const path = configString(token.config, 'path', '/');
    const access = configString(token.config, 'access', 'any') as GenerateAccess;
    const policy = generatePolicy({ tokenId: token.id, path, access });
    const decoy = storedDecoyOf(token);
    const artifact: Artifact = {
      file: { name: `tripline-${token.id}.yaml`, content: policy, mode: 0o600 },
      usage: decoy
        ? `Plant the decoy and its policy on the host with \`tripline decoy plant --token ${token.id} --path ${path}\`; any ${access === 'any' ? 'read or write' : access} of it by any process fires the token.`
        : `Put this policy in the agent's policy directory (/etc/tripline/policies); any ${access === 'any' ? 'read or write' : access} of ${path} fires the token.`,
    };
    if (decoy) artifact.extraFiles = [{ name: basename(path), content: decoy.content, mode: 0o600 }];
    return artifact;
  },
};
