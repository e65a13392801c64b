/**
 * What the host agent observes when a process touches a watched file. The sensor fills it while
 * the accessing process is still blocked (so /proc is still readable), policies match on it, the
 * exporter writes it as Tetragon JSON, the agent protocol carries it and the server stores it as a
 * file hit. Defined once, as zod schemas: the server checks what agents send against them, and
 * every other user takes the inferred types.
 */
import { z } from 'zod';
import { ARG_MAX, count, instant, PATH_MAX, text } from './model/fields.js';

/** Kinds of access the sensor reports. */
export const fileAccessSchema = z.enum(['open', 'read', 'write', 'truncate', 'mmap', 'exec']);
export type FileAccess = z.infer<typeof fileAccessSchema>;

/**
 * The Kubernetes pod a process runs in, as the node's container runtime (CRI) describes it.
 * Without a CRI socket only the uid from the kubelet's cgroup path is known; namespace, name and
 * the container's name and image are then empty strings.
 */
export const podInfoSchema = z.object({
  namespace: text(253),
  name: text(253),
  uid: text(128),
  /** The pod's labels (the kubelet's own io.kubernetes.pod.* labels left out, as Tetragon shows them). */
  labels: z.record(text(317), text(1024)).refine((l) => Object.keys(l).length <= 256, { message: 'at most 256 labels' }),
  container: z.object({ id: text(256), name: text(253), image: text(4096) }),
});
export type PodInfo = z.infer<typeof podInfoSchema>;

export const processInfoSchema = z.object({
  pid: count,
  /** Thread that made the access, when the sensor knows it. */
  tid: count.optional(),
  /** -1 when the process exited before the sensor could read /proc (binary is then empty); the access still counts. */
  uid: z
    .number()
    .int()
    .min(-1)
    .max(2 ** 32),
  /** Login uid from /proc/<pid>/loginuid; null when unset (4294967295). */
  auid: count.nullable(),
  /** Absolute path of the executable (/proc/<pid>/exe). */
  binary: text(PATH_MAX),
  /** The running executable's identity, and whether `binary`, looked up on the agent's host, still
   * names that file (false after a bind mount over it, a replacement or a deletion). Absent when
   * /proc does not show the executable (kernel threads, a process already gone). */
  binaryFile: z.object({ dev: count, ino: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), pathMatches: z.boolean() }).optional(),
  /** argv[1..]: the arguments after the program name. */
  arguments: z.array(text(ARG_MAX)).max(4096),
  cwd: text(PATH_MAX),
  /** Process start time, ISO 8601. */
  startTime: text(40),
  /** Stable id of this process execution: base64 of node:start-ticks:pid, as Tetragon does. */
  execId: text(512),
  /** Container id found in the process's cgroup path, or null on the host. */
  containerId: text(256).nullable(),
  /** The pod behind containerId, when the agent could tell (absent on the host). */
  pod: podInfoSchema.optional(),
  /** The cgroup path (/proc/<pid>/cgroup, unified hierarchy). */
  cgroup: text(PATH_MAX),
});
export type ProcessInfo = z.infer<typeof processInfoSchema>;

/**
 * The planted copy of a container decoy an access touched: whose copy it is, which may differ
 * from the accessor's pod (a host process reading it through /proc/<pid>/root, a host backup
 * tool, another container sharing the volume) or be the only pod named (the accessor is on the host).
 */
export const decoyCopySchema = z.object({
  /** Name of the decoy definition the copy was planted from. */
  decoy: text(253),
  pod: z.object({ namespace: text(253), name: text(253), uid: text(128) }),
  container: z.object({ id: text(256), name: text(253) }),
  /** The copy's path as the container sees it. */
  path: text(PATH_MAX),
});
export type DecoyCopy = z.infer<typeof decoyCopySchema>;

export const fileAccessEventSchema = z.object({
  /** When the sensor saw the access, ISO 8601. */
  time: instant,
  access: fileAccessSchema,
  /** Path of the file as the kernel resolved it for this access (may differ from the decoy path
   * when reached through a hard link or bind mount). */
  path: text(PATH_MAX),
  /** Identity of the file: matching is by (dev, ino), never by path alone. */
  dev: count,
  ino: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** True when the process is blocked waiting for the agent's verdict. */
  permission: z.boolean(),
  /** A descriptor the process already held when the watch began (open since before it): found
   * by looking through /proc when the agent starts or reloads its policies, not seen in use. */
  held: z.boolean().optional(),
  /** Set when the file is a planted copy of a container decoy (absent for host decoys). */
  decoyCopy: decoyCopySchema.optional(),
  process: processInfoSchema,
  parent: processInfoSchema.nullable(),
});
export type FileAccessEvent = z.infer<typeof fileAccessEventSchema>;

/** A change to a decoy itself, seen on its parent directory; `unreachable`: a directory on its
 * path was renamed, deleted or mounted over, or a mount was put over the decoy. */
export const decoyChangeSchema = z.enum(['deleted', 'renamed', 'replaced', 'mode_changed', 'modified', 'unreachable']);
export type DecoyChange = z.infer<typeof decoyChangeSchema>;

export const decoyTamperEventSchema = z.object({
  time: instant,
  path: text(PATH_MAX),
  change: decoyChangeSchema,
  /** The process, when the sensor could tell who did it. */
  process: processInfoSchema.nullable(),
});
export type DecoyTamperEvent = z.infer<typeof decoyTamperEventSchema>;

/**
 * What the agent saw and did about one access or tamper: where it was seen, which policy matched,
 * what the agent did, and the event itself (exactly one of access and tamper). The agent reports
 * it (agent-protocol.ts); the server stores it as a file hit's detail (model/hit-detail.ts).
 */
export const fileObservationSchema = z.object({
  /** Name of the host the agent runs on (--node-name). */
  node: z.string().min(1).max(253),
  policy: text(253).nullable(),
  /** Hook that matched, e.g. security_file_permission. */
  hook: text(128).nullable(),
  /** What the agent did: post, geturl, sigkill, override, signal ... */
  actions: z.array(text(32)).max(16),
  access: fileAccessEventSchema.optional(),
  tamper: decoyTamperEventSchema.optional(),
});
export type FileObservation = z.infer<typeof fileObservationSchema>;
