/**
 * What the host agent observes when a process touches a watched file. The sensor fills it while
 * the accessing process is still blocked (so /proc is still readable), policies match on it, the
 * exporter writes it as Tetragon JSON and the server stores it as a file hit.
 */

/** Kinds of access the sensor reports. */
export type FileAccess = 'open' | 'read' | 'write' | 'truncate' | 'mmap' | 'exec';

export interface ProcessInfo {
  pid: number;
  /** Thread that made the access, when the sensor knows it. */
  tid?: number;
  /** -1 when the process exited before the sensor could read /proc (binary is then empty). */
  uid: number;
  /** Login uid from /proc/<pid>/loginuid; null when unset (4294967295). */
  auid: number | null;
  /** Absolute path of the executable (/proc/<pid>/exe). */
  binary: string;
  /** argv[1..]: the arguments after the program name. */
  arguments: string[];
  cwd: string;
  /** Process start time, ISO 8601. */
  startTime: string;
  /** Stable id of this process execution: base64 of node:start-ticks:pid, as Tetragon does. */
  execId: string;
  /** Container id found in the process's cgroup path, or null on the host. */
  containerId: string | null;
  /** The cgroup path (/proc/<pid>/cgroup, unified hierarchy). */
  cgroup: string;
}

export interface FileAccessEvent {
  /** When the sensor saw the access, ISO 8601. */
  time: string;
  access: FileAccess;
  /** Path of the file as the kernel resolved it for this access (may differ from the decoy path
   * when reached through a hard link or bind mount). */
  path: string;
  /** Identity of the file: matching is by (dev, ino), never by path alone. */
  dev: number;
  ino: number;
  /** True when the process is blocked waiting for the agent's verdict. */
  permission: boolean;
  process: ProcessInfo;
  parent: ProcessInfo | null;
}

/** A change to a decoy itself, seen on its parent directory. */
export type DecoyChange = 'deleted' | 'renamed' | 'replaced' | 'mode_changed' | 'modified';

export interface DecoyTamperEvent {
  time: string;
  path: string;
  change: DecoyChange;
  /** The process, when the sensor could tell who did it. */
  process: ProcessInfo | null;
}

/**
 * The detail stored with a hit on a `file` token: where it was seen, which policy matched, what
 * the agent did, and the access (or tamper) event itself. Alert grouping for file hits uses
 * token, event.process.binary and event.process.uid.
 */
export interface FileHitDetail {
  /** Name of the host the agent runs on (--node-name). */
  node: string;
  policy: string | null;
  /** Hook that matched, e.g. security_file_permission. */
  hook: string | null;
  /** What the agent did: post, geturl, sigkill, override, signal ... */
  actions: string[];
  access?: FileAccessEvent;
  tamper?: DecoyTamperEvent;
}
