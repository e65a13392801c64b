import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import { ValidationError } from '../core/errors.js';
import { MAY_READ, MAY_WRITE } from './hooks.js';
import { isHttpUrl } from './read-actions.js';
import { API_VERSION, TOKEN_LABEL, type PolicyMode } from './model.js';

export type GenerateAccess = 'read' | 'write' | 'any';
export type GenerateAction = 'post' | 'geturl' | 'dnslookup' | 'sigkill' | 'override' | 'signal' | 'nopost';
export const GENERATE_ACTIONS: readonly GenerateAction[] = ['post', 'geturl', 'dnslookup', 'sigkill', 'override', 'signal', 'nopost'];

export interface GenerateOptions {
  tokenId: string;
  /** Absolute path of the decoy to watch. */
  path: string;
  access: GenerateAccess;
  /** The web-bug URL, for GetUrl; with it the default action is GetUrl, as in the tutorial. */
  tokenUrl?: string;
  /** The DNS token name, for DnsLookup. */
  tokenHostname?: string;
  /** Default: geturl when tokenUrl is given, else post. */
  actions?: GenerateAction[];
  /** Default: tripline-<tokenId>. */
  name?: string;
  mode?: PolicyMode;
  /** For signal; default 9 (SIGKILL), as in Tetragon's example. */
  signal?: number;
  /** For override; default -1 (EPERM: "Operation not permitted"). */
  overrideError?: number;
}

const NAME_PATTERN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * A TracingPolicy watching one decoy. For `read` and `write`, the tutorial's shape:
 * security_file_permission on the file and its access mask (Equal "4" for reads, Equal "2" for
 * writes). For `any`, every way in: that hook with Mask "6" (reads and writes), and
 * security_file_open, security_mmap_file and security_path_truncate on the same file, so an open
 * without a read, a read through a mapping and a truncate(2) by path fire too.
 * The token id goes into a label so the agent can say which token a match belongs to.
 */
export function generatePolicy(options: GenerateOptions): string {
  const { tokenId, path, access } = options;
  if (!tokenId) throw new ValidationError('a token id is required', { field: 'tokenId' });
  if (!path.startsWith('/')) throw new ValidationError(`the path must be absolute, got ${JSON.stringify(path)}`, { field: 'path' });
  const name = options.name ?? `tripline-${tokenId}`.toLowerCase();
  if (!NAME_PATTERN.test(name)) {
    throw new ValidationError(`invalid policy name ${JSON.stringify(name)}: use lower-case letters, digits, "-" and "."`, { field: 'name' });
  }
  const actions = options.actions ?? [options.tokenUrl ? 'geturl' : 'post'];
  if (actions.length === 0) throw new ValidationError('at least one action is required', { field: 'actions' });
  const matchActions = () => [...new Set(actions)].map((a) => actionEntry(a, options));
  const onFile = (call: string, fileType: 'file' | 'path', more: { index: number; type: string }[] = []) => ({
    call,
    syscall: false,
    args: [{ index: 0, type: fileType }, ...more],
    selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: [path] }], matchActions: matchActions() }],
  });
  const permission = {
    call: 'security_file_permission',
    syscall: false,
    args: [
      { index: 0, type: 'file' },
      { index: 1, type: 'int' },
    ],
    selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: [path] }, accessFilter(access)], matchActions: matchActions() }],
  };
  const kprobes =
    access === 'any'
      ? [permission, onFile('security_file_open', 'file'), onFile('security_mmap_file', 'file'), onFile('security_path_truncate', 'path')]
      : [permission];

  const doc = new Document({
    apiVersion: API_VERSION,
    kind: 'TracingPolicy',
    metadata: { name, labels: { [TOKEN_LABEL]: tokenId } },
    spec: {
      ...(options.mode ? { options: [{ name: 'policy-mode', value: options.mode }] } : {}),
      kprobes,
    },
  });
  doc.commentBefore = ` Tripline decoy watch: token ${tokenId}, ${access === 'any' ? 'any open, read, write, mapping or truncation' : `${access}s`} of ${path}`;
  annotateArgs(doc);
  return doc.toString({ indentSeq: false });
}

function accessFilter(access: GenerateAccess): { index: number; operator: string; values: string[] } {
  switch (access) {
    case 'read':
      return { index: 1, operator: 'Equal', values: [String(MAY_READ)] };
    case 'write':
      return { index: 1, operator: 'Equal', values: [String(MAY_WRITE)] };
    case 'any':
      return { index: 1, operator: 'Mask', values: [String(MAY_READ | MAY_WRITE)] };
    default:
      throw new ValidationError(`access must be read, write or any, got ${JSON.stringify(access)}`, { field: 'access' });
  }
}

function actionEntry(action: GenerateAction, options: GenerateOptions): Record<string, unknown> {
  switch (action) {
    case 'post':
      return { action: 'Post' };
    case 'nopost':
      return { action: 'NoPost' };
    case 'sigkill':
      return { action: 'Sigkill' };
    case 'override':
      return { action: 'Override', argError: options.overrideError ?? -1 };
    case 'signal':
      return { action: 'Signal', argSig: options.signal ?? 9 };
    case 'geturl':
      if (!options.tokenUrl || !isHttpUrl(options.tokenUrl)) {
        throw new ValidationError('geturl needs the token URL (http or https)', { field: 'tokenUrl' });
      }
      return { action: 'GetUrl', argUrl: options.tokenUrl };
    case 'dnslookup':
      if (!options.tokenHostname) throw new ValidationError('dnslookup needs the token hostname', { field: 'tokenHostname' });
      return { action: 'DnsLookup', argFqdn: options.tokenHostname };
    default:
      throw new ValidationError(`unknown action ${JSON.stringify(action)}; expected one of ${GENERATE_ACTIONS.join(', ')}`, { field: 'actions' });
  }
}

/** The tutorial's comments on the two arguments: the mask values are not self-explanatory. */
function annotateArgs(doc: Document): void {
  const args = doc.getIn(['spec', 'kprobes', 0, 'args'], true) as Node | undefined;
  if (!isSeq(args)) return;
  const notes = [' (struct file *) used for getting the path', ' 0x04 is MAY_READ, 0x02 is MAY_WRITE'];
  args.items.forEach((item, i) => {
    const type = isMap(item) ? item.get('type', true) : undefined;
    if (isScalar(type) && notes[i]) type.comment = notes[i];
  });
}
