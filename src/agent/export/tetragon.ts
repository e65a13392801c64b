/**
 * Tetragon's JSON export for a kprobe event (protojson of GetEventsResponse: snake_case, one
 * object per line), so log pipelines built for Tetragon read Tripline's events unchanged.
 */
import type { FileAccessEvent, PodInfo, ProcessInfo } from '../../core/file-event.js';
import type { Match, MatchArg } from '../../policy/index.js';
import { kprobeAction } from '../actions/action-names.js';

/** Tetragon writes an unset login uid (and an unknown uid) as uint32 -1. */
const UNSET_ID = 4294967295;

export interface TetragonProcess {
  exec_id: string;
  pid: number;
  uid: number;
  cwd: string;
  binary: string;
  arguments: string;
  /** How the process became known; "procFS" is Tetragon's word for "read from /proc". */
  flags: string;
  start_time: string;
  auid: number;
  docker?: string;
  pod?: TetragonPod;
  parent_exec_id?: string;
  tid?: number;
}

/** Tetragon's Pod message; uid is Tripline's addition (Tetragon leaves it to the pod's name). */
export interface TetragonPod {
  namespace: string;
  name: string;
  uid: string;
  container: { id: string; name: string; image: { name: string } };
  pod_labels?: Record<string, string>;
}

export type TetragonArg =
  | { file_arg: { path: string; permission?: string } }
  | { path_arg: { path: string; permission?: string } }
  | { int_arg: number }
  | { uint_arg: number };

export interface TetragonKprobeEvent {
  process_kprobe: {
    process: TetragonProcess;
    parent?: TetragonProcess;
    function_name: string;
    args: TetragonArg[];
    action: string;
    policy_name: string;
    message?: string;
    tags?: string[];
  };
  node_name: string;
  time: string;
}

/** Tetragon joins argv with spaces and quotes the arguments that contain one. */
export function joinArguments(args: readonly string[]): string {
  return args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');
}

/** ls-style mode string ("-rw-r--r--"), the form Tetragon's file_arg.permission takes. */
export function modeString(mode: number): string {
  // biome-ignore lint/complexity/useSimpleNumberKeys: the S_IF* file-type bits, in octal as stat(2) writes them.
  const type = ({ 0o040000: 'd', 0o120000: 'L', 0o010000: 'p', 0o140000: 'S', 0o020000: 'c', 0o060000: 'D' } as Record<number, string>)[mode & 0o170000] ?? '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

export function tetragonProcess(p: ProcessInfo, parent: ProcessInfo | null): TetragonProcess {
  const out: TetragonProcess = {
    exec_id: p.execId,
    pid: p.pid,
    uid: p.uid < 0 ? UNSET_ID : p.uid,
    cwd: p.cwd,
    binary: p.binary,
    arguments: joinArguments(p.arguments),
    flags: 'procFS',
    start_time: p.startTime,
    auid: p.auid ?? UNSET_ID,
  };
  if (p.containerId) out.docker = p.containerId;
  if (p.pod) out.pod = tetragonPod(p.pod);
  if (parent?.execId) out.parent_exec_id = parent.execId;
  if (p.tid !== undefined) out.tid = p.tid;
  return out;
}

function tetragonPod(pod: PodInfo): TetragonPod {
  const out: TetragonPod = {
    namespace: pod.namespace,
    name: pod.name,
    uid: pod.uid,
    container: { id: pod.container.id, name: pod.container.name, image: { name: pod.container.image } },
  };
  // Tetragon omits empty maps (protojson), so consumers see no pod_labels rather than {}.
  if (Object.keys(pod.labels).length > 0) out.pod_labels = pod.labels;
  return out;
}

function tetragonArg(arg: MatchArg, mode: number | undefined): TetragonArg | null {
  if (arg.path !== undefined) {
    const file = mode === undefined ? { path: arg.path } : { path: arg.path, permission: modeString(mode) };
    return arg.type === 'path' ? { path_arg: file } : { file_arg: file };
  }
  // An argument fanotify cannot observe (mmap prot, an fd number) is left out rather than faked.
  if (arg.value === undefined) return null;
  return arg.type === 'uint32' ? { uint_arg: arg.value } : { int_arg: arg.value };
}

/** One export line for a match; `mode` is the file's mode when known. */
export function toTetragon(event: FileAccessEvent, match: Match, nodeName: string, mode?: number): TetragonKprobeEvent {
  const kprobe: TetragonKprobeEvent['process_kprobe'] = {
    process: tetragonProcess(event.process, event.parent),
    function_name: match.hook,
    args: match.args.map((a) => tetragonArg(a, mode)).filter((a): a is TetragonArg => a !== null),
    action: kprobeAction(match),
    policy_name: match.policy,
  };
  if (event.parent) kprobe.parent = tetragonProcess(event.parent, null);
  if (match.message !== undefined) kprobe.message = match.message;
  if (match.tags.length > 0) kprobe.tags = match.tags;
  return { process_kprobe: kprobe, node_name: nodeName, time: event.time };
}
