import { alertFields, type ProcessFields } from './alert-fields.js';
import type { AlertMessage } from './message.js';

/** ECS event.severity numbers for the message levels (ECS leaves the scale to the source; higher is worse). */
const ECS_SEVERITY = { critical: 90, warning: 50, info: 10 } as const;

function ecsProcess(p: ProcessFields): Record<string, unknown> {
  return {
    pid: p.pid,
    executable: p.executable,
    name: p.name,
    args: [p.executable, ...p.args],
    args_count: p.args.length + 1,
    working_directory: p.workingDirectory,
    user: { id: String(p.uid) },
  };
}

function compact(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null));
}

/**
 * An alert as one document with Elastic Common Schema field names: `event.*` (kind alert,
 * category intrusion_detection), `source.ip`, `user_agent.original`, `url.*`, `http.request.method`,
 * `file.path`, `process.*` (with `process.parent`), `container.id`, `orchestrator.*` for a
 * Kubernetes pod, `host.name` for the agent's node, and Tripline's own fields under `tripline.*`.
 */
export function ecsDocument(message: AlertMessage, now = new Date().toISOString()): Record<string, unknown> {
  const f = alertFields(message);
  const process = f.process ? { ...ecsProcess(f.process), ...(f.parent ? { parent: ecsProcess(f.parent) } : {}) } : undefined;
  return compact({
    '@timestamp': message.firstHit.at,
    message: f.summary,
    ecs: { version: '8.11.0' },
    event: {
      kind: 'alert',
      category: f.file ? ['intrusion_detection', 'file'] : ['intrusion_detection'],
      type: ['indicator'],
      action: f.action,
      id: message.alertId,
      severity: ECS_SEVERITY[f.level],
      created: now,
      start: message.firstHit.at,
      end: message.lastHitAt,
      provider: 'tripline',
      dataset: 'tripline.alerts',
      reference: message.link,
      url: message.link,
    },
    observer: { vendor: 'Tripline', product: 'Tripline', type: 'honeypot' },
    rule: { name: f.title },
    source: f.sourceIp ? { ip: f.sourceIp.address, address: f.source } : { address: f.source },
    user_agent: f.userAgent === null ? undefined : { original: f.userAgent },
    url: f.http
      ? compact({ path: f.http.path, query: f.http.query || undefined, original: `${f.http.path}${f.http.query ? `?${f.http.query}` : ''}` })
      : undefined,
    http: f.http ? { request: { method: f.http.method } } : undefined,
    dns: f.dns ? { question: { name: f.dns.name, type: f.dns.qtype } } : undefined,
    file: f.file ? { path: f.file.path, name: f.file.path.split('/').pop() } : undefined,
    host: f.file ? { name: f.file.node } : undefined,
    process,
    container: f.process?.containerId ? { id: f.process.containerId } : undefined,
    orchestrator: f.process?.podUid ? { type: 'kubernetes', resource: { type: 'pod', id: f.process.podUid } } : undefined,
    tripline: {
      token: { id: message.token.id, kind: message.token.kind, memo: message.token.memo },
      alert: { id: message.alertId, purpose: message.purpose, hit_count: message.hitCount, more_hits: message.moreHits, more_sources: message.moreSources },
      hit: { id: message.firstHit.id },
      ...(f.file ? { file: compact({ access: f.file.access, change: f.file.change, policy: f.file.policy }) } : {}),
    },
  });
}
