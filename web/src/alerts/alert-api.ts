import { query, type ApiClient } from '../api/client';
import type { Alert, Delivery, DeliveryState, Page } from '../api/types';
import { visibleText } from '../../../src/core/visible-text';

export const ALERT_PAGE_SIZE = 25;

/** An alert's source and user agent come from the attacker: hidden characters are written out. */
export async function listAlerts(api: ApiClient, cursor: string | null): Promise<Page<Alert>> {
  const page = await api.get<Page<Alert>>(`/alerts${query({ cursor, limit: ALERT_PAGE_SIZE })}`);
  return {
    ...page,
    items: page.items.map((a) => ({ ...a, source: visibleText(a.source), userAgent: a.userAgent === null ? null : visibleText(a.userAgent) })),
  };
}

export function listDeliveries(api: ApiClient, state: DeliveryState | '', cursor: string | null): Promise<Page<Delivery>> {
  return api.get(`/deliveries${query({ state, cursor, limit: ALERT_PAGE_SIZE })}`);
}

export function retryDelivery(api: ApiClient, id: string): Promise<Delivery> {
  return api.post(`/deliveries/${encodeURIComponent(id)}/retry`);
}
