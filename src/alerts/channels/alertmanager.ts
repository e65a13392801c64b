import { ValidationError } from '../../core/errors.js';
import { oneLine, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { httpChannel } from './http-channel.js';

export const ALERTNAME = 'TriplineTokenTriggered';
const SEVERITY = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * One Alertmanager alert per Tripline alert: the labels identify it (a digest re-posts the same
 * labels, so Alertmanager updates the alert instead of opening another), the annotations say
 * what happened. startsAt is the first hit; Alertmanager resolves it after its resolve_timeout.
 */
export function alertmanagerPayload(message: AlertMessage, config: Record<string, unknown>): unknown {
  const description = [summary(message), '', ...hitFacts(message.firstHit).map((f) => `${f.label}: ${f.value}`), '', `Hits: ${message.hitCount}`].join('\n');
  return [
    {
      labels: {
        alertname: ALERTNAME,
        severity: String(config.severity ?? 'critical'),
        token_id: message.token.id,
        token_kind: message.token.kind,
        tripline_alert_id: message.alertId,
        ...(message.purpose === 'test' ? { test: 'true' } : {}),
      },
      annotations: {
        summary: truncate(visibleText(headline(message)), 500),
        memo: truncate(visibleText(message.token.memo, true), 2000),
        description: truncate(visibleText(description, true), 8000),
        // The source can come from a forwarding header or an agent's report: attacker text too.
        source: oneLine(message.firstHit.source, 200),
        hit_count: String(message.hitCount),
      },
      startsAt: message.firstHit.at,
      generatorURL: message.link,
    },
  ];
}

/** Prometheus Alertmanager: POST /api/v2/alerts on the given base URL. */
export const alertmanagerChannel = httpChannel({
  kind: 'alertmanager',
  title: 'Prometheus Alertmanager (API v2)',
  render: alertmanagerPayload,
  target: (url) => (/\/api\/v2\/alerts\/?$/.test(new URL(url).pathname) ? url : `${url.replace(/\/+$/, '')}/api/v2/alerts`),
  configure(input) {
    const severity = input.severity ?? 'critical';
    if (typeof severity !== 'string' || !SEVERITY.test(severity)) {
      throw new ValidationError('severity must be a short lower-case word such as critical, warning or page', { field: 'severity' });
    }
    return { config: { severity } };
  },
  describe: (config) => ({ severity: config.severity }),
});
