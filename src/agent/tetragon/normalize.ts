/**
 * Tetragon's process_kprobe events as agent events. The two ways Tetragon hands them out differ
 * in shape: its JSON export writes plain values (`"pid": 42`, times as RFC 3339 text), while its
 * gRPC API, read with its own .proto files, wraps scalars (`pid: {value: 42}`) and sends times as
 * `{seconds, nanos}`. Both are unwrapped here into the same event, so a hit reads the same
 * whichever way it came. Field names are the protos' (snake_case), which the export keeps too.
 */
import type { AgentEvent } from '../../core/agent-protocol.js';
import type { FileAccess, PodInfo, ProcessInfo } from '../../core/file-event.js';
import { stableRowId } from '../../core/ids.js';

type Json = Record<string, unknown>;

const MAY_WRITE = 0x02;
const MAY_READ = 0x04;
/** The loginuid of a process nobody logged in as. */
const NO_AUID = 4294967295;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** google.protobuf wrappers ({value: x}) and plain values alike. */
function unwrap(value: unknown): unknown {
  const wrapped = object(value);
  return wrapped && 'value' in wrapped ? wrapped.value : value;
}

function number(value: unknown): number | undefined {
  const plain = unwrap(value);
  const n = typeof plain === 'string' ? Number(plain) : plain;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function text(value: unknown): string {
  const plain = unwrap(value);
  return typeof plain === 'string' ? plain : '';
}

/** RFC 3339 text (export) or google.protobuf.Timestamp (gRPC), as ISO 8601 with milliseconds. */
export function instant(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  const ts = object(value);
  if (!ts) return undefined;
  const seconds = number(ts.seconds);
  if (seconds === undefined) return undefined;
  return new Date(seconds * 1000 + Math.floor((number(ts.nanos) ?? 0) / 1e6)).toISOString();
}

/** "containerd://abc…" → "abc…": the id as the agent's own sensor reports it. */
function containerId(process: Json): string | null {
  const pod = object(process.pod);
  const id = text(object(pod?.container)?.id) || text(process.docker);
  return id ? id.replace(/^[a-z]+:\/\//, '') : null;
}

/** podInfoSchema's bound on labels: past it the event would be refused, so the rest are left out. */
const MAX_LABELS = 256;

/**
 * Tetragon's Pod (namespace, name, uid, pod_labels, container {id, name, image {id, name}}) as the
 * agent's own pod context, so a hit names the pod the same whichever sensor saw it. The image is
 * its name (registry path and tag) as the CRI shows it, else its id (path and digest). Tetragon's
 * workload and annotations have no place there and are left out.
 */
function podInfo(process: Json, containerId: string | null): PodInfo | undefined {
  const pod = object(process.pod);
  if (!pod || !containerId) return undefined;
  const container = object(pod.container);
  const image = object(container?.image);
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(object(pod.pod_labels) ?? {}).slice(0, MAX_LABELS)) if (typeof value === 'string') labels[key] = value;
  return {
    namespace: text(pod.namespace),
    name: text(pod.name),
    uid: text(pod.uid),
    labels,
    container: { id: containerId, name: text(container?.name), image: text(image?.name) || text(image?.id) },
  };
}

function processInfo(value: unknown): ProcessInfo | null {
  const process = object(value);
  if (!process) return null;
  const auid = number(process.auid);
  const args = text(process.arguments);
  const container = containerId(process);
  const pod = podInfo(process, container);
  return {
    pid: number(process.pid) ?? 0,
    ...(number(process.tid) === undefined ? {} : { tid: number(process.tid)! }),
    uid: number(process.uid) ?? -1,
    auid: auid === undefined || auid === NO_AUID ? null : auid,
    binary: text(process.binary),
    // Tetragon joins the arguments into one string; split on spaces as its own tools show them.
    arguments: args ? args.split(' ') : [],
    cwd: text(process.cwd),
    startTime: instant(process.start_time) ?? '',
    execId: text(process.exec_id),
    containerId: container,
    ...(pod ? { pod } : {}),
    cgroup: '',
  };
}

/** The access a file hook's mask argument names (MAY_WRITE, MAY_READ), else a plain open. */
function accessOf(args: Json[]): FileAccess {
  for (const arg of args) {
    const mask = number(arg.int_arg) ?? number(arg.uint_arg);
    if (mask === undefined) continue;
    if (mask & MAY_WRITE) return 'write';
    if (mask & MAY_READ) return 'read';
  }
  return 'open';
}

/** What the input needs of one Tetragon event: its policy, and the event made from it. */
export interface NormalizedKprobe {
  policy: string;
  /** Without the token: the caller knows which token the policy is for. */
  event: Omit<AgentEvent, 'tokenId'>;
}

/**
 * One Tetragon event (a GetEventsResponse, from the export or gRPC) as an agent event, or null
 * when it is not a process_kprobe on a file. `node` is the node the input is enrolled for.
 */
export function normalizeKprobe(raw: unknown, node: string): NormalizedKprobe | null {
  const response = object(raw);
  const kprobe = object(response?.process_kprobe);
  if (!response || !kprobe) return null;
  const policy = text(kprobe.policy_name);
  const args = (Array.isArray(kprobe.args) ? kprobe.args : []).map(object).filter((a): a is Json => a !== undefined);
  const file = args.map((a) => object(a.file_arg) ?? object(a.path_arg)).find((f) => f !== undefined);
  const process = processInfo(kprobe.process);
  const time = instant(response.time);
  if (!policy || !file || !process || !time) return null;
  const path = text(file.path);
  const hook = text(kprobe.function_name) || null;
  return {
    policy,
    event: {
      // The same Tetragon event always gets the same id: read again, it is a duplicate.
      id: stableRowId(Date.parse(time), JSON.stringify([text(response.node_name), time, process.execId, hook, policy, path])),
      node,
      policy,
      hook,
      actions: [
        text(kprobe.action)
          .replace(/^KPROBE_ACTION_/, '')
          .toLowerCase() || 'post',
      ],
      access: {
        time,
        access: accessOf(args),
        path,
        dev: 0,
        ino: 0,
        permission: false,
        process,
        parent: processInfo(kprobe.parent),
      },
    },
  };
}
