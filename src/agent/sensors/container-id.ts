/**
 * Container identity from /proc/<pid>/cgroup. Runtimes name the leaf cgroup after the 64-hex
 * container id, each with its own decoration:
 *   docker (cgroupfs)        /docker/<id>
 *   docker (systemd)         /system.slice/docker-<id>.scope
 *   containerd / CRI         /kubepods.slice/.../cri-containerd-<id>.scope
 *   cri-o                    /kubepods.slice/.../crio-<id>.scope
 *   podman                   /machine.slice/libpod-<id>.scope, /libpod_parent/libpod-<id>
 *   kubelet (cgroupfs)       /kubepods/besteffort/pod<uid>/<id>
 * conmon (the monitor of cri-o and podman) lives in crio-conmon-<id> / libpod-conmon-<id>: it is
 * not the container and is not reported as one.
 */

const RUNTIME_PREFIX = /^(?:docker|cri-containerd|crio|libpod|containerd)-/;
const CONTAINER_ID = /^[0-9a-f]{64}$/;

function idOfSegment(segment: string): string | null {
  if (segment.includes('conmon')) return null;
  const bare = segment.replace(/\.scope$/, '').replace(RUNTIME_PREFIX, '');
  return CONTAINER_ID.test(bare) ? bare : null;
}

/** Parses "hierarchy-id:controllers:path" lines. */
export function parseCgroupFile(text: string): { controllers: string; path: string }[] {
  const out: { controllers: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    out.push({ controllers: line.slice(first + 1, second), path: line.slice(second + 1) });
  }
  return out;
}

/** The container id in a cgroup path: the innermost segment that names one. */
export function containerIdFromPath(path: string): string | null {
  const segments = path.split('/');
  for (let i = segments.length - 1; i >= 0; i--) {
    const id = idOfSegment(segments[i] ?? '');
    if (id) return id;
  }
  return null;
}

/**
 * The cgroup to report (the unified hierarchy's, else systemd's, else the first) and the container
 * id found in any hierarchy (on hybrid hosts only some controllers may carry it).
 */
export function cgroupIdentity(cgroupFile: string): { cgroup: string; containerId: string | null } {
  const entries = parseCgroupFile(cgroupFile);
  const pick = entries.find((e) => e.controllers === '') ?? entries.find((e) => e.controllers === 'name=systemd') ?? entries[0];
  let containerId: string | null = null;
  for (const e of entries) {
    containerId = containerIdFromPath(e.path);
    if (containerId) break;
  }
  return { cgroup: pick?.path ?? '', containerId };
}
