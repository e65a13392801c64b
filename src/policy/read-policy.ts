import type { Cursor } from './reader.js';
import { readLabelSelector, type PodScope } from './pod-scope.js';
import {
  API_VERSION,
  POLICY_KINDS,
  type ArgSpec,
  type ArgType,
  type HookSpec,
  type PolicyKind,
  type PolicyMode,
  type PolicySpec,
  type SourcePos,
} from './model.js';
import { ARG_TYPES, AUTO_TYPE, TYPES_FOR_PARAM, findHook, supportedHookNames, type HookInfo } from './hooks.js';
import { readSelectors } from './read-selectors.js';

/** Metadata Kubernetes itself writes into objects (`kubectl get -o yaml`): accepted, unused. */
const METADATA_FIELDS = [
  'name',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'finalizers',
  'ownerReferences',
];
const NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;
const KPROBE_FIELDS = ['call', 'syscall', 'return', 'args', 'returnArg', 'returnArgAction', 'selectors', 'message', 'tags', 'ignore'];
/** Tetragon's KProbeArg fields; in a returnArg none of them changes what the sensor sees. */
const RETURN_ARG_FIELDS = ['index', 'type', 'label', 'sizeArgIndex', 'returnCopy', 'maxData', 'resolve'];
/** Tetragon's returnArgAction values: Post only posts the event, which happens anyway; the socket
 * tracking ones feed later enforcement, which ignoring would silently drop. */
const RETURN_ARG_ACTIONS = ['Post', 'TrackSock', 'UntrackSock'];
const LSM_FIELDS = ['hook', 'args', 'selectors', 'message', 'tags'];
const MAX_TAGS = 16;
const POLICY_MODES: readonly PolicyMode[] = ['enforce', 'monitor'];
/** Tetragon options that only tune how its BPF programs attach: meaningless here, harmless. */
const ATTACH_OPTIONS = ['disable-kprobe-multi', 'disable-uprobe-multi', 'uprobe-heap-size'];

/** Reads one YAML document as a policy; problems go to the cursor's context. */
export function readPolicy(root: Cursor): PolicySpec | undefined {
  const top = root.fields(['apiVersion', 'kind', 'metadata', 'spec']);
  if (!top) return undefined;
  const apiVersion = top.require('apiVersion');
  const version = apiVersion?.string();
  if (apiVersion && version !== undefined && version !== API_VERSION) {
    apiVersion.error(`must be ${API_VERSION}, got ${JSON.stringify(version)}`);
  }
  const kindAt = top.require('kind');
  const kind = kindAt?.string();
  if (!kindAt || kind === undefined) return undefined;
  if (!(POLICY_KINDS as readonly string[]).includes(kind)) {
    // Anything else in the file is not meant for Tripline: reading on would only add noise.
    return kindAt.error(`unsupported kind ${JSON.stringify(kind)}; expected ${POLICY_KINDS.join(' or ')}`);
  }
  const meta = readMetadata(top.require('metadata'), kind as PolicyKind);
  const specAt = top.require('spec');
  const spec = specAt?.fields(['kprobes', 'lsmhooks', 'options', 'podSelector', 'containerSelector']);
  if (!spec) return undefined;
  const mode = readMode(spec.get('options'));
  const hooks = [...readHooks(spec.get('kprobes'), 'kprobe'), ...readHooks(spec.get('lsmhooks'), 'lsmhook')];
  if (!spec.has('kprobes') && !spec.has('lsmhooks')) spec.at.error('needs kprobes or lsmhooks');
  if (!meta || !specAt || mode === undefined) return undefined;
  const scope: PodScope = {};
  if (meta.namespace !== undefined) scope.namespace = meta.namespace;
  for (const key of ['podSelector', 'containerSelector'] as const) {
    if (!spec.has(key)) continue;
    const selector = readLabelSelector(spec.get(key));
    if (!selector) return undefined;
    scope[key] = selector;
  }
  const { namePos, ...names } = meta;
  const pos = { name: namePos, spec: specAt.pos };
  return { kind: kind as PolicyKind, ...names, scope, mode, hooks, file: root.ctx.file, pos };
}

interface Metadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  namePos: SourcePos;
}

function readMetadata(at: Cursor | undefined, kind: PolicyKind): Metadata | undefined {
  const meta = at?.fields(METADATA_FIELDS);
  if (!meta) return undefined;
  const nameAt = meta.require('name');
  const name = nameAt?.string();
  if (!nameAt || name === undefined) return undefined;
  if (!NAME_PATTERN.test(name)) {
    return nameAt.error('must be 1 to 253 letters, digits, ".", "-" or "_", starting and ending with a letter or digit');
  }
  const labels = meta.get('labels').stringMap();
  if (meta.has('annotations')) meta.get('annotations').stringMap();
  if (!labels) return undefined;
  const nsAt = meta.get('namespace');
  if (kind === 'TracingPolicy') {
    if (nsAt.present) return nsAt.error('applies only to TracingPolicyNamespaced');
    return { name, labels, namePos: nameAt.pos };
  }
  const namespace = meta.require('namespace')?.string();
  if (namespace === undefined) return undefined;
  return { name, namespace, labels, namePos: nameAt.pos };
}

function readMode(list: Cursor): PolicyMode | undefined {
  let mode: PolicyMode = 'enforce';
  for (const item of list.items() ?? []) {
    const option = item.fields(['name', 'value']);
    const name = option?.require('name')?.string();
    if (!option || name === undefined) continue;
    const valueAt = option.get('value');
    if (name === 'policy-mode') {
      const value = option.require('value')?.string();
      if (value === undefined) return undefined;
      if (!POLICY_MODES.includes(value as PolicyMode)) {
        return valueAt.error(`unknown policy mode ${JSON.stringify(value)}; expected ${POLICY_MODES.join(' or ')}`);
      }
      mode = value as PolicyMode;
    } else if (!ATTACH_OPTIONS.includes(name)) {
      option.get('name').warn(`unknown option ${JSON.stringify(name)} is ignored`);
    }
  }
  return mode;
}

function readHooks(list: Cursor, kind: HookInfo['kind']): HookSpec[] {
  const hooks: HookSpec[] = [];
  for (const item of list.items() ?? []) {
    const hook = readHook(item, kind);
    if (hook) hooks.push(hook);
  }
  return hooks;
}

function readHook(item: Cursor, kind: HookInfo['kind']): HookSpec | undefined {
  const fields = item.fields(kind === 'kprobe' ? KPROBE_FIELDS : LSM_FIELDS);
  if (!fields) return undefined;
  const nameAt = fields.require(kind === 'kprobe' ? 'call' : 'hook');
  const name = nameAt?.string();
  if (!nameAt || name === undefined) return undefined;
  const info = findHook(kind, name);
  if (!info) return nameAt.error(unknownHookMessage(kind, name));
  const syscall = kind === 'kprobe' ? fields.flag('syscall', true) : false;
  if (kind === 'kprobe') readReturnFields(fields.get('return'), fields.get('returnArg'), fields.get('returnArgAction'), fields.get('ignore'));
  const message = fields.get('message');
  const tags = readTags(fields.get('tags'));
  const args = readArgs(fields.get('args'), info);
  if (!args) {
    // Selectors refer to the args; without them only their shape can be checked.
    fields.get('selectors').items();
    return undefined;
  }
  const selectors = readSelectors(fields.get('selectors'), info, args);
  const hook: HookSpec = {
    kind,
    call: name,
    syscall: syscall ?? true,
    args,
    selectors,
    tags: tags ?? [],
    field: item.field,
    pos: item.pos,
    accesses: info.accesses,
  };
  if (message.present) {
    const text = message.string();
    if (text !== undefined) hook.message = text;
  }
  return hook;
}

function unknownHookMessage(kind: HookInfo['kind'], name: string): string {
  const other = kind === 'kprobe' ? 'lsmhook' : 'kprobe';
  const hint = findHook(other, name)
    ? ` (${name} is ${other === 'kprobe' ? 'a kprobe: list it under spec.kprobes with call' : 'an LSM hook: list it under spec.lsmhooks with hook'})`
    : '';
  const listed = kind === 'kprobe' ? 'kprobes' : 'lsmhooks';
  return `unsupported ${kind === 'kprobe' ? 'call' : 'hook'} ${JSON.stringify(name)}${hint}; the fanotify sensor supports ${listed}: ${supportedHookNames(kind).join(', ')}`;
}

/**
 * Return probes are accepted so Tetragon's own examples load, but the sensor decides before the
 * kernel call returns, so there is no return value to report: `return`, `returnArg` and
 * `returnArgAction: Post` are warnings, since ignoring them hides no event (the event is posted
 * when the access is decided). The socket-tracking actions feed enforcement on sockets, which a
 * file sensor cannot honour: ignoring them would weaken the policy, so they are errors.
 */
function readReturnFields(ret: Cursor, returnArg: Cursor, returnArgAction: Cursor, ignore: Cursor): void {
  if (ret.present && ret.boolean()) ret.warn('the sensor reports accesses before they complete: return values are not observed');
  if (returnArg.present && returnArg.fields(RETURN_ARG_FIELDS)) returnArg.warn('is ignored: return values are not observed');
  if (returnArgAction.present) {
    const action = returnArgAction.string();
    if (action === 'Post') returnArgAction.warn('is ignored: the event is posted when the access is decided, before any return value');
    else if (action !== undefined && RETURN_ARG_ACTIONS.includes(action)) {
      returnArgAction.error(`${action} tracks sockets for later enforcement, which the fanotify sensor cannot do (it sees files)`);
    } else if (action !== undefined) {
      returnArgAction.error(`unknown return action ${JSON.stringify(action)}; Tetragon's are ${RETURN_ARG_ACTIONS.join(', ')}`);
    }
  }
  if (ignore.present) ignore.fields(['callNotFound'])?.flag('callNotFound');
}

function readTags(list: Cursor): string[] | undefined {
  const items = list.items();
  if (!items) return undefined;
  if (items.length > MAX_TAGS) list.error(`at most ${MAX_TAGS} tags, got ${items.length}`);
  return items.map((t) => t.string()).filter((t): t is string => t !== undefined);
}

function readArgs(list: Cursor, hook: HookInfo): ArgSpec[] | undefined {
  const items = list.items();
  if (!items) return undefined;
  const args: ArgSpec[] = [];
  let ok = true;
  for (const item of items) {
    const arg = readArg(item, hook);
    if (!arg) {
      ok = false;
    } else if (args.some((a) => a.index === arg.index)) {
      item.error(`index ${arg.index} is declared twice`);
      ok = false;
    } else {
      args.push(arg);
    }
  }
  return ok ? args : undefined;
}

function readArg(item: Cursor, hook: HookInfo): ArgSpec | undefined {
  const fields = item.fields(['index', 'type', 'label']);
  const indexAt = fields?.require('index');
  const index = indexAt?.integer(0, 0xffffffff);
  if (!fields || !indexAt || index === undefined) return undefined;
  const param = hook.params[index];
  if (!param) {
    const last = hook.params.length - 1;
    return indexAt.error(`${hook.name} has ${hook.params.length} argument${last ? 's' : ''} (index 0${last ? ` to ${last}` : ''})`);
  }
  const typeAt = fields.get('type');
  const written = typeAt.present ? typeAt.string() : 'auto';
  if (written === undefined) return undefined;
  const type = written === 'auto' ? AUTO_TYPE[param] : (written as ArgType);
  if (!ARG_TYPES.includes(type)) {
    return typeAt.error(`unsupported type ${JSON.stringify(written)}; supported: ${ARG_TYPES.join(', ')}`);
  }
  const fitting = TYPES_FOR_PARAM[param];
  if (!fitting.includes(type)) {
    return typeAt.error(`argument ${index} of ${hook.name} is a ${param}: declare it as ${fitting.join(', ')}`);
  }
  const arg: ArgSpec = { index, type };
  const labelAt = fields.get('label');
  const label = labelAt.present ? labelAt.string() : undefined;
  if (label !== undefined) arg.label = label;
  return arg;
}
