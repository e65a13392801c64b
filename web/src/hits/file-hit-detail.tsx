import type { ReactNode } from 'react';
import type { Hit } from '../api/types';
import { Facts } from '../components/fields';
import { absoluteTime } from '../format';
import { Link, paths } from '../router';
import { asNumber, asObject, asString, asStrings, type Json } from './detail-values';

/** A decoy-file hit from an agent: where, which policy, what was done, and who touched it. */
export function FileHitDetail({ hit }: { hit: Hit }) {
  // Read defensively: the server types details without re-validating them.
  const detail: Json = hit.detail;
  const access = asObject(detail.access);
  const tamper = asObject(detail.tamper);
  const actions = asStrings(detail.actions) ?? [];
  return (
    <>
      <Facts
        items={[
          ['Host', <span className="mono">{asString(detail.node)}</span>],
          [
            'Reported by agent',
            hit.agentId ? (
              <Link to={paths.agents()} className="mono">
                {hit.agentId}
              </Link>
            ) : null,
          ],
          // The agent's clock says when it happened; this is when the server got the report.
          ['Received', hit.receivedAt ? absoluteTime(hit.receivedAt) : null],
          ['Policy', asString(detail.policy) ? <span className="mono">{asString(detail.policy)}</span> : null],
          ['Hook', asString(detail.hook) ? <span className="mono">{asString(detail.hook)}</span> : null],
          ['Actions', actions.length > 0 ? actions.join(', ') : null],
          ...(access ? accessFacts(access) : []),
          ...(tamper ? tamperFacts(tamper) : []),
        ]}
      />
      <PodSection pod={asObject(asObject(access?.process ?? tamper?.process)?.pod)} />
      <ProcessSection title="Process" process={asObject(access?.process) ?? asObject(tamper?.process)} />
      {access && <ProcessSection title="Parent process" process={asObject(access.parent)} />}
    </>
  );
}

function accessFacts(access: Json): [string, ReactNode][] {
  return [
    ['Access', asString(access.access) ?? null],
    ['File', <span className="mono break">{asString(access.path)}</span>],
    ['Decoy copy', decoyCopyText(asObject(access.decoyCopy))],
    ['Blocked for a verdict', access.permission === true ? 'yes (permission event)' : 'no'],
    ['Inode', asNumber(access.ino) !== undefined ? <span className="mono">{`${asNumber(access.dev)}:${asNumber(access.ino)}`}</span> : null],
  ];
}

/** Whose planted container decoy copy was touched: it may be another pod than the accessor's, or
 * the only pod named when a host process reached into the container's root. */
function decoyCopyText(copy: Json | undefined): ReactNode {
  if (!copy) return null;
  const pod = asObject(copy.pod);
  const name = asString(pod?.name);
  const container = asString(asObject(copy.container)?.name);
  return (
    <span className="mono break" data-testid="decoy-copy">
      {`${name ? `${asString(pod?.namespace) ?? ''}/${name}` : `pod uid ${asString(pod?.uid) ?? '?'}`}${container ? ` (container ${container})` : ''} ${asString(copy.path) ?? ''}`}
    </span>
  );
}

function tamperFacts(tamper: Json): [string, ReactNode][] {
  return [
    ['Decoy change', asString(tamper.change) ?? null],
    ['File', <span className="mono break">{asString(tamper.path)}</span>],
  ];
}

/** The Kubernetes pod the process ran in, as the node's container runtime named it. */
function PodSection({ pod }: { pod: Json | undefined }) {
  if (!pod) return null;
  const container = asObject(pod.container);
  const labels = Object.entries(asObject(pod.labels) ?? {}).map(([k, v]) => `${k}=${asString(v) ?? ''}`);
  const name = asString(pod.name);
  return (
    <>
      <h4 className="detail-heading">Pod</h4>
      <Facts
        items={[
          [
            'Pod',
            <span className="mono" data-testid="pod-name">
              {name ? `${asString(pod.namespace) ?? ''}/${name}` : 'unknown (no CRI socket)'}
            </span>,
          ],
          ['Pod UID', <span className="mono">{asString(pod.uid)}</span>],
          ['Container', asString(container?.name) ? <span className="mono">{asString(container?.name)}</span> : null],
          ['Image', asString(container?.image) ? <span className="mono break">{asString(container?.image)}</span> : null],
          [
            'Labels',
            labels.length > 0 ? (
              <span className="args">
                {labels.map((label) => (
                  <code key={label} className="arg">
                    {label}
                  </code>
                ))}
              </span>
            ) : null,
          ],
        ]}
      />
    </>
  );
}

function ProcessSection({ title, process }: { title: string; process: Json | undefined }) {
  if (!process) return null;
  const args = asStrings(process.arguments) ?? [];
  const auid = process.auid === null ? 'unset' : asNumber(process.auid);
  const startTime = asString(process.startTime);
  return (
    <>
      <h4 className="detail-heading">{title}</h4>
      <Facts
        items={[
          [
            'Binary',
            <span className="mono break" data-testid="process-binary">
              {asString(process.binary)}
            </span>,
          ],
          [
            'Arguments',
            args.length > 0 ? (
              <span className="args">
                {args.map((arg, index) => (
                  <code key={index} className="arg">
                    {arg}
                  </code>
                ))}
              </span>
            ) : null,
          ],
          ['PID', <span className="mono">{asNumber(process.pid)}</span>],
          ['UID', <span className="mono">{asNumber(process.uid)}</span>],
          ['Login UID', auid === undefined ? null : <span className="mono">{auid}</span>],
          ['Working directory', <span className="mono break">{asString(process.cwd)}</span>],
          ['Container', asString(process.containerId) ? <span className="mono break">{asString(process.containerId)}</span> : 'none (host)'],
          ['Cgroup', <span className="mono break">{asString(process.cgroup)}</span>],
          ['Started', startTime ? absoluteTime(startTime) : null],
          ['Exec id', <span className="mono break">{asString(process.execId)}</span>],
        ]}
      />
    </>
  );
}
