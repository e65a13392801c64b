import { ValidationError } from '../../core/errors.js';
import { newSecret } from '../../core/ids.js';
import type { Enrichment } from '../../core/model/enrichment.js';
import type { HitDetail } from '../../core/model/hit-detail.js';
import type { Fact } from '../../core/model/hit.js';
import { describeHit } from '../../tokens/registry.js';
import type { AlertMessage } from '../message.js';
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from '../signature.js';
import { httpChannel } from './http-channel.js';

const MIN_SECRET_LENGTH = 16;

/** The documented JSON of the generic webhook (docs/alerts.md, "Generic webhook"). Version 1. */
export interface WebhookPayload {
  version: 1;
  event: 'alert' | 'digest' | 'test';
  alertId: string;
  deliveryId: string | null;
  sentAt: string;
  token: { id: string; kind: string; memo: string; url: string };
  hitCount: number;
  moreHits: number;
  /** For a token's digest alert (alerts beyond the cap folded into one): how many sources; else 0. */
  moreSources: number;
  window: { start: string; end: string };
  lastHitAt: string;
  firstHit: {
    id: string;
    at: string;
    source: string;
    userAgent: string | null;
    request: { method: unknown; path: unknown; query: unknown; headers: unknown } | null;
    file: { node: unknown; path: unknown; access: unknown; change: unknown; policy: unknown; actions: unknown; decoyCopy: unknown } | null;
    process: unknown;
    parent: unknown;
    detail: HitDetail;
    /** What the token's kind reads from the hit (src/tokens/hits/, TokenKind.describeHit). */
    summary: string;
    facts: Fact[];
    /** Country, city, ASN and host name of the source, when the server has the databases; else null. */
    enrichment: Enrichment | null;
  };
}

export function webhookPayload(message: AlertMessage, sentAt = new Date().toISOString()): WebhookPayload {
  const hit = message.firstHit;
  const detail = hit.detail;
  const file = detail.type === 'file' ? detail : undefined;
  return {
    version: 1,
    event: message.purpose,
    alertId: message.alertId,
    deliveryId: message.deliveryId,
    sentAt,
    token: { ...message.token, url: message.link },
    hitCount: message.hitCount,
    moreHits: message.moreHits,
    moreSources: message.moreSources,
    window: { start: message.windowStart, end: message.windowEnd },
    lastHitAt: message.lastHitAt,
    firstHit: {
      id: hit.id,
      at: hit.at,
      source: hit.source,
      userAgent: hit.userAgent,
      request: detail.type === 'http' ? { method: detail.method, path: detail.path, query: detail.query, headers: detail.headers } : null,
      file: file
        ? {
            node: file.node,
            path: file.access?.path ?? file.tamper?.path ?? null,
            access: file.access?.access ?? null,
            change: file.tamper?.change ?? null,
            policy: file.policy,
            actions: file.actions,
            decoyCopy: file.access?.decoyCopy ?? null,
          }
        : null,
      process: file ? (file.access?.process ?? file.tamper?.process ?? null) : null,
      parent: file ? (file.access?.parent ?? null) : null,
      detail,
      ...describeHit(hit),
      enrichment: hit.enrichment ?? null,
    },
  };
}

/**
 * The generic webhook: the documented JSON, signed. X-Tripline-Signature is `sha256=<hex>` of
 * HMAC-SHA256 over the raw body under the channel's secret; the body carries sentAt (and the
 * timestamp header repeats it in Unix seconds) so a receiver can refuse replays.
 */
export const webhookChannel = httpChannel({
  kind: 'webhook',
  title: 'Generic webhook: signed JSON POST',
  render: (message) => webhookPayload(message),
  headers(body, message, config) {
    const sentAt = (JSON.parse(body) as { sentAt: string }).sentAt;
    return {
      [SIGNATURE_HEADER]: signBody(String(config.secret), body),
      [TIMESTAMP_HEADER]: String(Math.floor(Date.parse(sentAt) / 1000)),
      'x-tripline-event': message.purpose,
      ...(message.deliveryId ? { 'x-tripline-delivery': message.deliveryId } : {}),
    };
  },
  configure(input) {
    if (input.secret !== undefined) {
      if (typeof input.secret !== 'string' || input.secret.length < MIN_SECRET_LENGTH || input.secret.length > 256) {
        throw new ValidationError(`secret must be ${MIN_SECRET_LENGTH} to 256 characters`, { field: 'secret' });
      }
      return { config: { secret: input.secret } };
    }
    const secret = newSecret('whsec');
    return { config: { secret }, revealOnce: { secret } };
  },
  describe: () => ({ secret: 'set (shown only when the channel was created)' }),
});
