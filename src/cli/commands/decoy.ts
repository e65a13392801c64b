import { lstatSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { GENERATE_ACTIONS, generateContainerDecoy, generatePolicy, type GenerateAccess, type GenerateAction } from '../../policy/index.js';
import { DECOY_KINDS, generateDecoy, type DecoyKind } from '../../tokens/decoys/index.js';
import type { TokenView } from '../../tokens/service.js';
import type { ApiClient } from '../client.js';
import { clientFor, collect } from '../context.js';
import { DEFAULT_POLICY_DIR, policiesWatching, removePolicies, writePolicy } from '../decoy/policy-dir.js';
import { PlantError, writeFileAtomically } from '../decoy/write-file.js';
import { printFields, printJson } from '../output.js';

interface PlantOptions {
  kind?: DecoyKind;
  path: string;
  token?: string;
  policyDir: string;
  access: GenerateAccess;
  action?: string[];
  memo?: string;
  node: string;
  force?: boolean;
  json?: boolean;
  namespace?: string;
  podLabel?: string[];
  container?: string;
  image?: string[];
}

interface Planted {
  token: TokenView;
  content: string;
  /** True when the token existed before (--token). */
  existing: boolean;
}

/** What is at the path now: nothing, a file, or something a decoy must never replace. */
function existingAt(path: string): 'none' | 'file' {
  try {
    const stat = lstatSync(path);
    if (stat.isFile()) return 'file';
    throw new PlantError(
      `${path} exists and is not a regular file (${stat.isSymbolicLink() ? 'a symbolic link' : 'a directory or device'}); choose another --path`,
      { path },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw error;
  }
}

function actionsOf(options: PlantOptions): GenerateAction[] | undefined {
  if (!options.action) return undefined;
  for (const action of options.action) {
    if (!(GENERATE_ACTIONS as readonly string[]).includes(action)) {
      throw new ValidationError(`--action ${action} is not one of ${GENERATE_ACTIONS.join(', ')}`);
    }
  }
  return options.action as GenerateAction[];
}

/** A new file token holding a fresh decoy, created by the server so its secrets name the token. */
async function createFileToken(api: ApiClient, kind: DecoyKind, options: PlantOptions, path: string): Promise<Planted> {
  const token = await api.post<TokenView>('/tokens', {
    kind: 'file',
    memo: options.memo ?? `${kind} decoy at ${options.node}:${path}`,
    options: { path, access: options.access, decoyKind: kind, node: options.node },
  });
  const content = token.artifact.extraFiles?.[0]?.content;
  if (content === undefined) throw new PlantError(`the server created token ${token.id} without decoy content; is it older than this command?`);
  return { token, content, existing: false };
}

/**
 * An existing token: a file token plants the decoy it holds; a web-bug or DNS token gets a fresh
 * decoy here and a policy whose GetUrl or DnsLookup fires it, as in the Tetragon tutorial.
 */
async function existingToken(api: ApiClient, id: string, kind: DecoyKind | undefined): Promise<Planted> {
  const token = await api.get<TokenView>(`/tokens/${encodeURIComponent(id)}`);
  if (token.kind === 'file') {
    const content = token.artifact.extraFiles?.[0]?.content;
    if (content === undefined)
      throw new ValidationError(`token ${token.id} watches an existing file and holds no decoy; leave out --token to create a decoy token`);
    if (kind) throw new ValidationError(`token ${token.id} already holds its decoy; leave out --kind`);
    return { token, content, existing: true };
  }
  if (!kind) throw new ValidationError(`--kind is required with a ${token.kind} token`);
  if (!token.url && !token.hostname) throw new ValidationError(`a ${token.kind} token cannot be fired by the agent; use a file, http or dns token`);
  // Credential decoys point their URLs at the server that issued the token.
  const decoy = generateDecoy(kind, token.id, { publicUrl: token.url ? new URL(token.url).origin : '' });
  return { token, content: decoy.content, existing: true };
}

/** The selector flags, as label pairs; null when none is given (a decoy on this host). */
function containerSelector(options: PlantOptions): { podLabels: Record<string, string> } | null {
  if (options.namespace === undefined && !options.podLabel && options.container === undefined && !options.image) return null;
  const podLabels: Record<string, string> = {};
  for (const pair of options.podLabel ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValidationError(`--pod-label ${JSON.stringify(pair)} is not key=value`);
    podLabels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { podLabels };
}

/**
 * With a selector flag the decoy goes into containers: no file is written here; the policy file
 * holds the decoy (kind ContainerDecoy) and the TracingPolicy scoped to the same pods, and the
 * agent on each node plants and watches the copies.
 */
async function plantInContainers(options: PlantOptions, api: ApiClient, podLabels: Record<string, string>): Promise<void> {
  const path = options.path;
  if (!path.startsWith('/')) throw new ValidationError(`--path must be the absolute path inside the container, got ${JSON.stringify(path)}`);
  const actions = actionsOf(options);
  if (!options.token && !options.kind) throw new ValidationError('--kind is required unless --token names a file token that holds its decoy');
  const where = [
    options.namespace !== undefined ? `namespace ${options.namespace}` : '',
    ...Object.entries(podLabels).map(([k, v]) => `${k}=${v}`),
    options.container !== undefined ? `container ${options.container}` : '',
    ...(options.image ?? []).map((i) => `image ${i}`),
  ].filter(Boolean);
  const memo = options.memo ?? `${options.kind} decoy in containers (${where.join(', ')}): ${path}`;
  const planted = options.token ? await existingToken(api, options.token, options.kind) : await createFileToken(api, options.kind!, { ...options, memo }, path);
  const { token } = planted;
  const text = generateContainerDecoy({
    tokenId: token.id,
    path,
    access: options.access,
    content: planted.content,
    podLabels,
    images: options.image ?? [],
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.container !== undefined ? { container: options.container } : {}),
    ...(token.url ? { tokenUrl: token.url } : {}),
    ...(token.hostname ? { tokenHostname: token.hostname } : {}),
    actions: actions ?? (token.kind === 'dns' ? ['dnslookup'] : undefined),
  });
  const policyFile = writePolicy(options.policyDir, token.id, text);
  if (options.json) {
    printJson({ tokenId: token.id, tokenKind: token.kind, createdToken: !planted.existing, path, policyFile, containers: true });
    return;
  }
  printFields([
    ['token', `${token.id} (${token.kind}${planted.existing ? '' : ', created'})`],
    ['decoy', `${path} in matching containers`],
    ['policy', policyFile],
  ]);
  process.stdout.write(`\nThe agent watching ${options.policyDir} plants a copy into every matching container and watches it.\n`);
}

async function plant(options: PlantOptions, api: ApiClient): Promise<void> {
  const selector = containerSelector(options);
  if (selector) return plantInContainers(options, api, selector.podLabels);
  const path = resolve(options.path);
  const actions = actionsOf(options);
  if (!options.token && !options.kind) throw new ValidationError('--kind is required unless --token names a file token that holds its decoy');
  const present = existingAt(path);
  const earlier = await policiesWatching(options.policyDir, path);
  if (present === 'file' && earlier.length === 0 && !options.force) {
    throw new PlantError(
      `${path} exists and no Tripline policy in ${options.policyDir} watches it: it may be a real file. Use --force to replace it with a decoy.`,
      {
        path,
      },
    );
  }

  const planted = options.token ? await existingToken(api, options.token, options.kind) : await createFileToken(api, options.kind!, options, path);
  const { token } = planted;
  const policy = generatePolicy({
    tokenId: token.id,
    path,
    access: options.access,
    ...(token.url ? { tokenUrl: token.url } : {}),
    ...(token.hostname ? { tokenHostname: token.hostname } : {}),
    actions: actions ?? (token.kind === 'dns' ? ['dnslookup'] : undefined),
  });

  writeFileAtomically(path, planted.content, { mode: 0o600, replace: present === 'file', ownerFromDirectory: true });
  const policyFile = writePolicy(options.policyDir, token.id, policy);
  const stale = earlier.map((p) => p.file).filter((file) => file !== policyFile);
  removePolicies(stale);

  if (options.json) {
    printJson({ tokenId: token.id, tokenKind: token.kind, createdToken: !planted.existing, path, policyFile, removedPolicies: stale });
    return;
  }
  printFields([
    ['token', `${token.id} (${token.kind}${planted.existing ? '' : ', created'})`],
    ['decoy', path],
    ['policy', policyFile],
    ...stale.map((file): [string, unknown] => ['removed', file]),
  ]);
  process.stdout.write(`\nThe agent watching ${options.policyDir} picks the policy up; every access to the decoy is reported.\n`);
}

/** `tripline decoy plant`: write a realistic decoy file and the policy that watches it. */
export function decoyCommand(): Command {
  const decoy = new Command('decoy').description('Plant decoy files that alert when anything touches them.');
  decoy
    .command('plant')
    .description('Write a decoy with fresh random content, create its token (unless --token), and write the policy that watches it.')
    .addOption(new Option('--kind <kind>', 'what the decoy looks like').choices(DECOY_KINDS))
    .requiredOption('--path <path>', 'where to write the decoy, e.g. /root/.ssh/id_ed25519')
    .option('--token <id>', 'an existing token: a file token plants its own decoy; an http or dns token is fired by GetUrl or DnsLookup')
    .option('--policy-dir <dir>', "the agent's policy directory", DEFAULT_POLICY_DIR)
    .addOption(new Option('--access <access>', 'accesses that alert').choices(['read', 'write', 'any']).default('any'))
    .option(
      '--action <action>',
      `policy action (repeatable): ${GENERATE_ACTIONS.join(', ')}; default post (geturl for http tokens, dnslookup for dns)`,
      collect,
    )
    .option('--memo <text>', 'memo of the token created for the decoy')
    .option('--node <name>', 'the host name recorded with the token', hostname())
    .option('--force', 'replace an existing file that no Tripline policy watches')
    .option(
      '--namespace <ns>',
      'plant into containers of pods in this Kubernetes namespace (any selector flag plants into containers; --path is then the path inside them)',
    )
    .option('--pod-label <key=value>', 'plant into containers of pods with this label (repeatable; all must match)', collect)
    .option('--container <name>', 'plant into containers with this name')
    .option('--image <pattern>', 'plant into containers whose image matches ("*" matches anything; repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (options: PlantOptions, command: Command) => plant(options, clientFor(command)));
  return decoy;
}
