import type { Alert } from '../store/repositories/alerts.js';
import type { Hit } from '../store/repositories/hits.js';

export type MessagePurpose = 'alert' | 'digest' | 'test';

/**
 * Everything any channel needs to tell a person about an alert, in plain (unescaped) values.
 * Channels render it in their own format and escape attacker input for it.
 */
export interface AlertMessage {
  purpose: MessagePurpose;
  alertId: string;
  deliveryId: string | null;
  token: { id: string; kind: string; memo: string };
  /** Hits in the alert so far (the first included); final for a digest. */
  hitCount: number;
  /** For a digest: hits that folded in after the first one (all of them for a token's digest alert). */
  moreHits: number;
  /**
   * For a token's digest alert: the grouping keys (source and user agent, or binary and uid)
   * beyond the alerts already raised in the window; 0 otherwise.
   */
  moreSources: number;
  windowStart: string;
  windowEnd: string;
  lastHitAt: string;
  /** Who and what: from the stored hit, or from the alert's copy if the hit is gone. */
  firstHit: Hit;
  /** The token's page in the dashboard. */
  link: string;
}

/** Where the dashboard shows a token, from the server's public URL. */
export function dashboardLink(publicUrl: string, tokenId: string, kind?: string): string {
  // Alerts about an agent (silent, back, stopped) carry the agent's id where a token's would be.
  if (kind === 'agent') return `${publicUrl.replace(/\/+$/, '')}/ui/agents`;
  return `${publicUrl.replace(/\/+$/, '')}/ui/tokens/${encodeURIComponent(tokenId)}`;
}

export function buildMessage(input: { purpose: 'alert' | 'digest'; alert: Alert; hit: Hit | undefined; deliveryId: string; publicUrl: string }): AlertMessage {
  const { alert } = input;
  // A token deleted after the hit takes its hits with it; the alert kept enough to still report.
  const firstHit: Hit = input.hit ?? {
    id: alert.firstHitId,
    tokenId: alert.tokenId,
    kind: alert.tokenKind,
    at: alert.firstHitAt,
    source: alert.source,
    userAgent: alert.userAgent,
    detail: { type: 'none' },
  };
  return {
    purpose: input.purpose,
    alertId: alert.id,
    deliveryId: input.deliveryId,
    token: { id: alert.tokenId, kind: alert.tokenKind, memo: alert.tokenMemo },
    hitCount: alert.hitCount,
    moreHits: alert.foldedKeys > 0 ? alert.hitCount : Math.max(0, alert.hitCount - 1),
    moreSources: alert.foldedKeys,
    windowStart: alert.windowStart,
    windowEnd: alert.windowEnd,
    lastHitAt: alert.lastHitAt,
    firstHit,
    link: dashboardLink(input.publicUrl, alert.tokenId, alert.tokenKind),
  };
}

/** A made-up alert for `channel test`: realistic enough to judge the formatting by. */
export function testMessage(publicUrl: string, channelName: string): AlertMessage {
  const now = new Date().toISOString();
  return {
    purpose: 'test',
    alertId: 'test',
    deliveryId: null,
    token: { id: 'test', kind: 'http', memo: `Test alert for channel "${channelName}"` },
    hitCount: 1,
    moreHits: 0,
    moreSources: 0,
    windowStart: now,
    windowEnd: now,
    lastHitAt: now,
    firstHit: {
      id: 'test',
      tokenId: 'test',
      kind: 'http',
      at: now,
      source: '203.0.113.7',
      userAgent: 'Tripline channel test',
      detail: { type: 'http', method: 'GET', path: '/assets/test/logo.gif', query: '', headers: { 'user-agent': 'Tripline channel test' } },
    },
    link: `${publicUrl.replace(/\/+$/, '')}/ui/`,
  };
}
