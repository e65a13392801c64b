import { ValidationError } from '../../core/errors.js';
import { ecsDocument } from '../ecs.js';
import { checkToken, SET } from './credential.js';
import { httpChannel } from './http-channel.js';
import { at, parseJson, textAt } from './service-answer.js';

export const DEFAULT_INDEX = 'logs-tripline-default';
// Elasticsearch's rules for index and data stream names, a little stricter (no uppercase, no colon).
const INDEX = /^[a-z0-9][a-z0-9._-]{0,254}$/;

/**
 * The _bulk body: one `create` action (data streams take only create) and the ECS document.
 * The action's _id is the delivery id, so a retry after a lost answer finds the document there
 * (409) instead of indexing it twice.
 */
export function bulkBody(document: Record<string, unknown>, id: string | null): string {
  return `${JSON.stringify({ create: id ? { _id: id } : {} })}\n${JSON.stringify(document)}\n`;
}

/** What a 2xx bulk answer says about the one item: nothing when indexed (or already there), else why not. */
function itemFailure(text: string): { reason: string; retry: boolean } | undefined {
  const answer = parseJson(text);
  if (at(answer, 'errors') !== true) return undefined;
  const item = at(answer, 'items', 0, 'create');
  const status = Number(at(item, 'status'));
  if (status === 409) return undefined;
  const reason = textAt(item, ['error', 'reason'], ['error', 'type']) ?? `item status ${status}`;
  return { reason: `${status} ${reason}`, retry: status === 429 || status >= 500 };
}

/** Elasticsearch or OpenSearch: POST <url>/<index>/_bulk, ECS field names, Authorization: ApiKey or Basic from the URL. */
export const elasticsearchChannel = httpChannel({
  kind: 'elasticsearch',
  title: 'Elasticsearch / OpenSearch bulk API (ECS)',
  render: (message) => ({ document: ecsDocument(message), id: message.deliveryId }),
  encode: (rendered) => {
    const { document, id } = rendered as { document: Record<string, unknown>; id: string | null };
    return bulkBody(document, id);
  },
  target: (url, config) => `${url.replace(/\/+$/, '')}/${encodeURIComponent(String(config.index))}/_bulk`,
  headers: (_body, _message, config) => ({
    'content-type': 'application/x-ndjson',
    ...(config.apiKey ? { authorization: `ApiKey ${String(config.apiKey)}` } : {}),
  }),
  configure(input) {
    const index = input.index ?? DEFAULT_INDEX;
    if (!INDEX.test(index)) throw new ValidationError('index must be a lower-case index or data stream name (a-z, 0-9, . _ -)', { field: 'index' });
    const apiKey = checkToken(input.apiKey, 'apiKey', 'an Elasticsearch API key (the base64 "encoded" value)', { optional: true, max: 1024 });
    return { config: { index, ...(apiKey ? { apiKey } : {}) } };
  },
  describe: (config) => ({ index: config.index, ...(config.apiKey ? { apiKey: SET } : {}) }),
  api: {
    // Errors are {"error": {"type": ..., "reason": ...}, "status": 400}.
    reason: (text) => textAt(parseJson(text), ['error', 'reason'], ['error', 'type'], ['error']),
    rejected: itemFailure,
  },
  secrets: (config) => (config.apiKey ? [String(config.apiKey)] : []),
});
