import { hostname } from 'node:os';
import { ValidationError } from '../../core/errors.js';
import type { AlertMessage } from '../message.js';
import { checkToken, SET } from './credential.js';
import { httpChannel } from './http-channel.js';
import { parseJson, textAt } from './service-answer.js';
import { webhookPayload } from './webhook.js';

export const HEC_PATH = '/services/collector/event';
const INDEX = /^[a-z0-9][a-z0-9_-]{0,79}$/;
const SOURCETYPE = /^[A-Za-z0-9_:.-]{1,128}$/;

/**
 * One HEC event: `time` in epoch seconds (the first hit), host, source, sourcetype and index as
 * metadata, and the generic webhook's JSON as the event itself, so Splunk searches use the same
 * names as webhook receivers do.
 */
export function splunkPayload(message: AlertMessage, config: Record<string, unknown>): unknown {
  return {
    time: Date.parse(message.firstHit.at) / 1000,
    host: hostname(),
    source: 'tripline',
    sourcetype: String(config.sourcetype ?? 'tripline:alert'),
    ...(config.index ? { index: String(config.index) } : {}),
    event: webhookPayload(message),
  };
}

/** Splunk HTTP Event Collector: POST /services/collector/event with Authorization: Splunk <token>. */
export const splunkChannel = httpChannel({
  kind: 'splunk',
  title: 'Splunk HTTP Event Collector',
  render: splunkPayload,
  // A bare https://splunk:8088 means the event endpoint; a URL with a path is taken as given.
  target: (url) => (new URL(url).pathname.replace(/\/+$/, '') === '' ? `${url.replace(/\/+$/, '')}${HEC_PATH}` : url),
  headers: (_body, _message, config) => ({ authorization: `Splunk ${String(config.token)}` }),
  configure(input) {
    const token = checkToken(input.token, 'token', 'the HEC token');
    if (input.index !== undefined && !INDEX.test(input.index))
      throw new ValidationError('index must be a Splunk index name (a-z, 0-9, _ and -)', { field: 'index' });
    if (input.sourcetype !== undefined && !SOURCETYPE.test(input.sourcetype)) {
      throw new ValidationError('sourcetype must be 1 to 128 of A-Z a-z 0-9 _ : . -', { field: 'sourcetype' });
    }
    return { config: { token, sourcetype: input.sourcetype ?? 'tripline:alert', ...(input.index ? { index: input.index } : {}) } };
  },
  describe: (config) => ({ token: SET, sourcetype: config.sourcetype, ...(config.index ? { index: config.index } : {}) }),
  // HEC errors are {"text": "Incorrect index", "code": 7}.
  api: { reason: (text) => textAt(parseJson(text), ['text']) },
  secrets: (config) => [String(config.token)],
});
