import { query, type ApiClient } from '../api/client';
import type { Alert, Delivery, DeliveryState, Page } from '../api/types';

export const ALERT_PAGE_SIZE = 25;

export function listAlerts(api: ApiClient, cursor: string | null): Promise<Page<Alert>> {
  return api.get(`/alerts${query({ cursor, limit: ALERT_PAGE_SIZE })}`);
}

export function listDeliveries(api: ApiClient, state: DeliveryState | '', cursor: string | null): Promise<Page<Delivery>> {
  return api.get(`/deliveries${query({ state, cursor, limit: ALERT_PAGE_SIZE })}`);
}

export function retryDelivery(api: ApiClient, id: string): Promise<Delivery> {
  return api.post(`/deliveries/${encodeURIComponent(id)}/retry`);
}
