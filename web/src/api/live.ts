import { API_BASE, type ApiClient } from './client';
import { readSse } from './sse';
import type { LiveEvent } from './types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  onEvent(event: LiveEvent): void;
  onStatus(status: LiveStatus): void;
  /** The stream (re)connected: whatever happened while it was down must be fetched again. */
  onReady(): void;
  onUnauthorized(): void;
}

const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 15_000];

/**
 * Follows GET /api/v1/events with fetch(), so the key goes in the Authorization header (the
 * browser's EventSource cannot send headers and would need the key in the URL). Reconnects with
 * backoff until stopped. Returns the function that stops it.
 */
export function followLiveEvents(client: ApiClient, handlers: LiveHandlers): () => void {
  const controller = new AbortController();
  let failures = 0;

  const run = async () => {
    while (!controller.signal.aborted) {
      handlers.onStatus(failures === 0 ? 'connecting' : 'reconnecting');
      try {
        const response = await fetch(`${API_BASE}/events`, {
          headers: { authorization: client.authorization, accept: 'text/event-stream' },
          cache: 'no-store',
          signal: controller.signal,
        });
        if (response.status === 401) {
          handlers.onUnauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        for await (const message of readSse(response.body)) {
          if (message.event === 'ready') {
            failures = 0;
            handlers.onStatus('live');
            handlers.onReady();
          } else if (message.event === 'hit') {
            handlers.onEvent(JSON.parse(message.data) as LiveEvent);
          }
        }
      } catch {
        // Network errors and aborts end up here; the loop decides whether to go on.
      }
      if (controller.signal.aborted) return;
      const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)]!;
      failures += 1;
      handlers.onStatus('reconnecting');
      await sleep(delay, controller.signal);
    }
  };
  void run();
  return () => controller.abort();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
