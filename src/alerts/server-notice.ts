import type { AlertMessage } from './message.js';
import { testMessage } from './message.js';

/**
 * A problem with the server itself (a certificate that could not be obtained or is about to
 * expire), told to people through the same channels as token alerts. It has no token and no
 * hit, so it travels as an alert whose token is the pseudo-token `id` (kind "server") and whose
 * memo is the problem; it goes straight to the channels, not through the outbox, like a test.
 */
export function serverNoticeMessage(publicUrl: string, id: string, subject: string): AlertMessage {
  const base = testMessage(publicUrl, '');
  return {
    ...base,
    purpose: 'alert',
    alertId: id,
    token: { id, kind: 'server', memo: subject },
    firstHit: {
      ...base.firstHit,
      id,
      tokenId: id,
      source: 'server',
      userAgent: null,
      detail: { type: 'http', method: 'GET', path: '/', query: '', headers: {} },
    },
  };
}
