import { isIP } from 'node:net';
import type { ProcessInfo } from '../core/file-event.js';
import { headline, summary } from './facts.js';
import type { AlertMessage } from './message.js';

/**
 * An alert as the structured fields SIEM formats carry (CEF, ECS, OTLP, PagerDuty details): one
 * reading of the message, so every output names the same things the same way. Values are plain
 * (unescaped); each format escapes them as it writes them.
 */

/** How urgent a message is: an alert pages, a digest reports more of the same, a test is informational. */
export type AlertLevel = 'critical' | 'warning' | 'info';

export function messageLevel(message: AlertMessage): AlertLevel {
  if (message.purpose === 'test') return 'info';
  return message.purpose === 'digest' ? 'warning' : 'critical';
}

/** The event names outputs use for what happened (CEF event class, ECS event.action, MSGID). */
export function eventAction(message: AlertMessage): string {
  if (message.purpose !== 'alert') return `token-${message.purpose}`;
  const detail = message.firstHit.detail;
  return detail.type === 'file' && detail.tamper ? 'decoy-tampered' : 'token-triggered';
}

export interface ProcessFields {
  pid: number;
  uid: number;
  executable: string;
  name: string;
  args: string[];
  workingDirectory: string;
  containerId: string | null;
  /** The pod's UID when the cgroup path is a kubelet's (kubepods ... pod<uid>). */
  podUid: string | null;
}

export interface AlertFields {
  level: AlertLevel;
  action: string;
  title: string;
  summary: string;
  /** The hit's source as given (an address, or what an agent reported). */
  source: string;
  /** The source when it is an IP address, with its family. */
  sourceIp: { address: string; family: 4 | 6 } | null;
  userAgent: string | null;
  http: { method: string; path: string; query: string } | null;
  dns: { name: string; qtype: string } | null;
  file: { path: string; node: string; access: string | null; change: string | null; policy: string | null } | null;
  process: ProcessFields | null;
  parent: ProcessFields | null;
}

const POD_IN_CGROUP = /kubepods[^/]*\/(?:[^/]*\/)?(?:kubepods-[a-z]+-)?pod([0-9a-f_-]{36})(?:\.slice)?\//i;

function processFields(info: ProcessInfo | null | undefined): ProcessFields | null {
  if (!info) return null;
  const pod = POD_IN_CGROUP.exec(info.cgroup);
  return {
    pid: info.pid,
    uid: info.uid,
    executable: info.binary,
    name: info.binary.split('/').pop() ?? info.binary,
    args: info.arguments,
    workingDirectory: info.cwd,
    containerId: info.containerId,
    podUid: pod ? pod[1]!.replace(/_/g, '-') : null,
  };
}

export function alertFields(message: AlertMessage): AlertFields {
  const hit = message.firstHit;
  const detail = hit.detail;
  const family = isIP(hit.source);
  const file = detail.type === 'file' ? detail : undefined;
  const event = file?.access ?? file?.tamper;
  return {
    level: messageLevel(message),
    action: eventAction(message),
    title: headline(message),
    summary: summary(message),
    source: hit.source,
    sourceIp: family === 4 || family === 6 ? { address: hit.source, family } : null,
    userAgent: hit.userAgent,
    http: detail.type === 'http' ? { method: detail.method, path: detail.path, query: detail.query } : null,
    dns: detail.type === 'dns' ? { name: detail.name, qtype: detail.qtype } : null,
    file: file
      ? {
          path: event?.path ?? '',
          node: file.node,
          access: file.access?.access ?? null,
          change: file.tamper?.change ?? null,
          policy: file.policy,
        }
      : null,
    process: processFields(event?.process),
    parent: processFields(file?.access?.parent),
  };
}
