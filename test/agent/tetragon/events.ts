/**
 * Tetragon events as its documentation shows them (docs "File access monitoring", process_kprobe
 * on security_file_permission with file_arg and int_arg), in the two shapes Tetragon hands them
 * out: a line of its JSON export, and a GetEventsResponse as its gRPC API sends it (scalars
 * wrapped, times as Timestamps). One description builds both, so a test can compare the hits.
 */
export interface Kprobe {
  policy: string;
  pid: number;
  binary: string;
  arguments: string;
  path: string;
  /** 0x02 MAY_WRITE, 0x04 MAY_READ. */
  mask: number;
  /** ISO time of the event. */
  time: string;
  /** Present for a process in a Kubernetes pod. */
  pod?: { namespace: string; name: string; containerId: string };
}

const START = '2023-03-21T13:51:02.567419475Z';

function processJson(k: Kprobe, pid: number, binary: string, args: string) {
  return {
    exec_id: Buffer.from(`kind-control-plane:${pid}`).toString('base64'),
    pid,
    uid: 0,
    cwd: '/',
    binary,
    arguments: args,
    flags: 'execve rootcwd clone',
    start_time: START,
    auid: 4294967295,
    ...(k.pod
      ? {
          pod: {
            namespace: k.pod.namespace,
            name: k.pod.name,
            uid: '2e8b1a3c-6f0d-4c1e-9a57-3f4d2b7c8e10',
            container: {
              id: `containerd://${k.pod.containerId}`,
              name: 'spaceship',
              image: {
                id: 'docker.io/tgraf/netperf@sha256:8e86e7e9c8b1d8b4ac6cdc1c2cbbe5d7c4d3fdbb0e1f9c1a7e5b3a2d4f6e8c0a',
                name: 'docker.io/tgraf/netperf:latest',
              },
              start_time: '2023-03-21T13:50:16Z',
              pid: 23,
            },
            pod_labels: { 'app.kubernetes.io/name': k.pod.name, class: k.pod.name, org: 'alliance' },
            workload: k.pod.name,
            workload_kind: 'Pod',
          },
          docker: k.pod.containerId.slice(0, 31),
        }
      : {}),
    parent_exec_id: Buffer.from('kind-control-plane:1').toString('base64'),
    tid: pid,
  };
}

/** One line of Tetragon's JSON export (protojson with the protos' field names). */
export function exportLine(k: Kprobe): string {
  return JSON.stringify({
    process_kprobe: {
      process: processJson(k, k.pid, k.binary, k.arguments),
      parent: processJson(k, k.pid - 1, '/bin/bash', ''),
      function_name: 'security_file_permission',
      args: [{ file_arg: { path: k.path, permission: '-rw-r--r--' } }, { int_arg: k.mask }],
      return: { int_arg: 0 },
      action: 'KPROBE_ACTION_POST',
      policy_name: k.policy,
      return_action: 'KPROBE_ACTION_POST',
    },
    node_name: 'kind-control-plane',
    time: k.time,
  });
}

function timestamp(iso: string) {
  const ms = Date.parse(iso);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

/** The same event as a GetEventsResponse for grpc-js: wrappers ({value}) and Timestamps. */
export function grpcEvent(k: Kprobe) {
  const line = JSON.parse(exportLine(k));
  const wrap = (p: Record<string, any>) => {
    const out: Record<string, any> = {
      ...p,
      pid: { value: p.pid },
      uid: { value: p.uid },
      auid: { value: p.auid },
      tid: { value: p.tid },
      start_time: timestamp(p.start_time),
    };
    if (p.pod)
      out.pod = { ...p.pod, container: { ...p.pod.container, start_time: timestamp(p.pod.container.start_time), pid: { value: p.pod.container.pid } } };
    return out;
  };
  const kprobe = line.process_kprobe;
  return {
    process_kprobe: { ...kprobe, process: wrap(kprobe.process), parent: wrap(kprobe.parent) },
    node_name: line.node_name,
    time: timestamp(k.time),
  };
}
