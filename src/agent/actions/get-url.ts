import type { OutboundTask } from './outbound.js';

/**
 * Tetragon's GetUrl: one HTTP GET of the policy's URL (a canary token's web bug). Any answer
 * below 500 means the token server saw the request; 5xx and network failures are retried.
 */
export async function getUrl(task: OutboundTask, signal: AbortSignal): Promise<void> {
  const response = await fetch(task.target, { signal, headers: { 'user-agent': 'tripline-agent' } });
  // The body is not needed, but an unread body keeps the connection from being reused.
  await response.body?.cancel();
  if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
}
