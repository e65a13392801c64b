import { ValidationError } from '../../core/errors.js';
import { alertFields } from '../alert-fields.js';
import { oneLine, truncate } from '../escape.js';
import type { AlertMessage } from '../message.js';
import { checkToken, SET } from './credential.js';
import { httpChannel } from './http-channel.js';
import { parseJson, textAt } from './service-answer.js';
import { webhookPayload } from './webhook.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/**
 * An Events API v2 trigger event. dedup_key is the alert id: a digest of the same alert lands on
 * the incident its alert opened instead of paging again. The summary (at most 1024 characters)
 * names what and who; the hit's details go in custom_details as the generic webhook's JSON.
 */
export function pagerdutyPayload(message: AlertMessage, config: Record<string, unknown>): unknown {
  const f = alertFields(message);
  return {
    routing_key: String(config.routingKey),
    event_action: 'trigger',
    dedup_key: message.purpose === 'test' ? `tripline-test-${Date.now()}` : message.alertId,
    client: 'Tripline',
    client_url: message.link,
    payload: {
      summary: truncate(oneLine(`${f.title} (from ${f.source})`, 2000), 1024),
      // PagerDuty's "affected system": the agent's node for a decoy file, else the token.
      source: truncate(oneLine(f.file?.node ?? `tripline ${message.token.kind} token ${message.token.id}`, 500), 255),
      severity: message.purpose === 'test' ? 'info' : String(config.severity ?? 'critical'),
      timestamp: message.firstHit.at,
      component: `${message.token.kind} token`,
      group: message.token.id,
      class: f.action,
      custom_details: webhookPayload(message),
    },
    links: [{ href: message.link, text: 'Open the token in Tripline' }],
  };
}

/** PagerDuty Events API v2: POST https://events.pagerduty.com/v2/enqueue with the integration's routing key. */
export const pagerdutyChannel = httpChannel({
  kind: 'pagerduty',
  title: 'PagerDuty (Events API v2)',
  defaultUrl: PAGERDUTY_EVENTS_URL,
  render: pagerdutyPayload,
  configure(input) {
    const routingKey = checkToken(input.routingKey, 'routingKey', 'the integration (routing) key of an Events API v2 integration', { max: 128 });
    const severity = input.severity ?? 'critical';
    if (!(PAGERDUTY_SEVERITIES as readonly string[]).includes(severity)) {
      throw new ValidationError(`severity must be one of ${PAGERDUTY_SEVERITIES.join(', ')}`, { field: 'severity' });
    }
    return { config: { routingKey, severity } };
  },
  describe: (config) => ({ routingKey: SET, severity: config.severity }),
  // Refusals are {"status": "invalid event", "message": "Event object is invalid", "errors": [...]}.
  api: { reason: (text) => textAt(parseJson(text), ['errors'], ['message']) },
  secrets: (config) => [String(config.routingKey)],
});
