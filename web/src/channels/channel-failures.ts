import { query, type ApiClient } from '../api/client';
import type { Delivery, Page } from '../api/types';

export interface ChannelFailures {
  /** Deliveries the dispatcher gave up on. */
  gaveUp: number;
  /** Deliveries still being retried after a failed attempt. */
  retrying: number;
  lastError: string | null;
  lastAt: string | null;
}

// Enough recent deliveries to see which channels are broken, without paging through history.
const RECENT = 500;

/** Failed deliveries (given up, or failing and being retried) per channel, with the newest error. */
export async function failuresByChannel(api: ApiClient): Promise<Map<string, ChannelFailures>> {
  const [dead, pending] = await Promise.all(
    (['dead', 'pending'] as const).map((state) => api.get<Page<Delivery>>(`/deliveries${query({ state, limit: RECENT })}`)),
  );
  const failures = new Map<string, ChannelFailures>();
  const failed = [...dead!.items, ...pending!.items.filter((delivery) => delivery.lastError !== null)];
  for (const delivery of failed) {
    const entry = failures.get(delivery.channelId) ?? { gaveUp: 0, retrying: 0, lastError: null, lastAt: null };
    if (delivery.state === 'dead') entry.gaveUp += 1;
    else entry.retrying += 1;
    if (!entry.lastAt || delivery.updatedAt > entry.lastAt) {
      entry.lastAt = delivery.updatedAt;
      entry.lastError = delivery.lastError;
    }
    failures.set(delivery.channelId, entry);
  }
  return failures;
}
