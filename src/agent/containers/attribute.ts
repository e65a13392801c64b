/**
 * Puts the pod on an event's processes before the policies see it: pod-scoped policies select on
 * it, and the export, the report and every alert name it. A cached container costs a map lookup;
 * a container seen for the first time waits for the runtime's answer (bounded by the directory's
 * lookup timeout), which is why this runs before the verdict rather than after.
 */
import type { Logger } from 'pino';
import type { ProcessInfo } from '../../core/file-event.js';
import { containerRootPid } from './container-watches.js';
import type { PodDirectory } from './pod-directory.js';

/** The processes of an access (accessor and parent) or of a tamper (the accessor, when known). */
interface Processes {
  process: ProcessInfo | null;
  parent: ProcessInfo | null;
}

async function attributeProcess(process: ProcessInfo | null, pods: PodDirectory): Promise<void> {
  if (!process?.containerId) return;
  const pod = await pods.lookup(process.containerId, process.cgroup);
  if (pod) process.pod = pod;
}

/** Host processes skip attribution entirely, so their verdicts stay synchronous. */
function inContainer(event: Processes, watched: string): boolean {
  return (event.process?.containerId ?? null) !== null || (event.parent?.containerId ?? null) !== null || containerRootPid(watched) !== null;
}

/**
 * `watched` is the watched path the file was reached by. When the accessor's cgroup could not be
 * read (it exited before the agent looked, as a short `echo >> file` does before a write on a
 * filesystem without pre-content events is reported), a file watched inside one container's root
 * was written from that container, and that container's pod is the one named.
 */
async function attributeEvent(event: Processes, pods: PodDirectory, watched = ''): Promise<void> {
  await Promise.all([attributeProcess(event.process, pods), attributeProcess(event.parent, pods)]);
  const rootPid = containerRootPid(watched);
  if (event.process?.cgroup !== '' || event.process.pod || rootPid === null) return;
  const container = pods.byInitPid(rootPid);
  if (container) event.process.pod = container.pod;
}

/**
 * Runs `next` once the event's processes carry their pods: at once for host processes (their
 * verdicts stay synchronous), after the runtime's answer otherwise. Attribution never fails the
 * access: on error `next` runs without the pod.
 */
export function withPod(event: Processes, watched: string, pods: PodDirectory, log: Logger, next: () => void): void {
  if (!inContainer(event, watched)) {
    next();
    return;
  }
  void attributeEvent(event, pods, watched)
    .catch((err: unknown) => log.warn({ err }, 'pod attribution failed'))
    .then(next);
}
