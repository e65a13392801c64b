import { alertFields } from '../alert-fields.js';
import type { AlertMessage } from '../message.js';
import { checkToken, SET } from './credential.js';
import { httpChannel } from './http-channel.js';
import { at, parseJson, textAt } from './service-answer.js';

/** OpenTelemetry severity numbers and texts (logs data model): FATAL 21, WARN 13, INFO 9. */
const SEVERITY = { critical: [21, 'FATAL'], warning: [13, 'WARN'], info: [9, 'INFO'] } as const;

type AnyValue = { stringValue: string } | { intValue: string };
type KeyValue = { key: string; value: AnyValue };

function attributes(values: Record<string, string | number | null | undefined>): KeyValue[] {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } }));
}

function nanos(iso: string): string {
  return `${BigInt(Date.parse(iso)) * 1_000_000n}`;
}

/**
 * An ExportLogsServiceRequest in OTLP/JSON with one log record: the summary as body, the
 * message level as severity, and attributes with semantic-convention names where they exist
 * (source.address, user_agent.original, url.path, http.request.method, file.path, process.*,
 * container.id, k8s.pod.uid) and tripline.* for the rest. 64-bit integers are decimal strings, as
 * the OTLP/JSON encoding asks.
 */
export function otlpPayload(message: AlertMessage, observed = new Date().toISOString()): unknown {
  const f = alertFields(message);
  const [severityNumber, severityText] = SEVERITY[f.level];
  return {
    resourceLogs: [
      {
        resource: { attributes: attributes({ 'service.name': 'tripline' }) },
        scopeLogs: [
          {
            scope: { name: 'tripline.alerts', version: '1' },
            logRecords: [
              {
                timeUnixNano: nanos(message.firstHit.at),
                observedTimeUnixNano: nanos(observed),
                severityNumber,
                severityText,
                body: { stringValue: f.summary },
                attributes: attributes({
                  'event.name': `tripline.${f.action}`,
                  'source.address': f.source,
                  'user_agent.original': f.userAgent,
                  'url.path': f.http?.path,
                  'url.query': f.http?.query,
                  'http.request.method': f.http?.method,
                  'dns.question.name': f.dns?.name,
                  'file.path': f.file?.path,
                  'host.name': f.file?.node,
                  'process.pid': f.process?.pid,
                  'process.executable.path': f.process?.executable,
                  'process.command_args': f.process ? JSON.stringify([f.process.executable, ...f.process.args]) : undefined,
                  'process.parent_pid': f.parent?.pid,
                  'container.id': f.process?.containerId,
                  'k8s.pod.uid': f.process?.podUid,
                  'tripline.alert.id': message.alertId,
                  'tripline.alert.purpose': message.purpose,
                  'tripline.alert.title': f.title,
                  'tripline.hit.id': message.firstHit.id,
                  'tripline.hit.count': message.hitCount,
                  'tripline.token.id': message.token.id,
                  'tripline.token.kind': message.token.kind,
                  'tripline.token.memo': message.token.memo,
                  'tripline.url': message.link,
                }),
              },
            ],
          },
        ],
      },
    ],
  };
}

/** OTLP logs over HTTP with the JSON encoding: POST <url>/v1/logs, optionally with a bearer token. */
export const otlpChannel = httpChannel({
  kind: 'otlp',
  title: 'OpenTelemetry (OTLP/HTTP JSON logs)',
  render: (message) => otlpPayload(message),
  // The collector's base URL gets the logs path; a URL already ending in /v1/logs is used as given.
  target: (url) => (/\/v1\/logs\/?$/.test(new URL(url).pathname) ? url : `${url.replace(/\/+$/, '')}/v1/logs`),
  headers: (_body, _message, config): Record<string, string> => (config.token ? { authorization: `Bearer ${String(config.token)}` } : {}),
  configure(input) {
    const token = checkToken(input.token, 'token', 'a bearer token for the collector', { optional: true, max: 1024 });
    return { config: token ? { token } : {} };
  },
  describe: (config) => (config.token ? { token: SET } : {}),
  api: {
    // Errors are a google.rpc.Status: {"code": 3, "message": "..."}.
    reason: (text) => textAt(parseJson(text), ['message']),
    // A 200 may still reject records: {"partialSuccess": {"rejectedLogRecords": "1", "errorMessage": "..."}}.
    rejected: (text) => {
      const partial = at(parseJson(text), 'partialSuccess');
      const rejected = Number(at(partial, 'rejectedLogRecords') ?? 0);
      if (!(rejected > 0)) return undefined;
      return { reason: textAt(partial, ['errorMessage']) ?? `${rejected} log record rejected`, retry: false };
    },
  },
  secrets: (config) => (config.token ? [String(config.token)] : []),
});
