import { query, type ApiClient } from '../api/client';
import type { Delivery, Page } from '../api/types';

export interface ChannelFailures {
  count: number;
  lastError: string | null;
  lastAt: string | null;
}

// Enough recent failures to see which channels are broken, without paging through history.
const RECENT_FAILURES = 500;

/** Deliveries that were given up, counted per channel, with the newest error of each. */
export async function failuresByChannel(api: ApiClient): Promise<Map<string, ChannelFailures>> {
  const page = await api.get<Page<Delivery>>(`/deliveries${query({ state: 'dead', limit: RECENT_FAILURES })}`);
  const failures = new Map<string, ChannelFailures>();
  for (const delivery of page.items) {
    const entry = failures.get(delivery.channelId) ?? { count: 0, lastError: null, lastAt: null };
    entry.count += 1;
    if (!entry.lastAt || delivery.updatedAt > entry.lastAt) {
      entry.lastAt = delivery.updatedAt;
      entry.lastError = delivery.lastError;
    }
    failures.set(delivery.channelId, entry);
  }
  return failures;
}
