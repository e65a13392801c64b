import type { AlertRepository } from '../store/repositories/alerts.js';
import type { Channel, ChannelRepository } from '../store/repositories/channels.js';
import type { Delivery } from '../store/repositories/deliveries.js';
import type { HitRepository } from '../store/repositories/hits.js';
import { buildMessage, type AlertMessage } from './message.js';

export type Composed = { message: AlertMessage; channel: Channel } | { problem: string };

/**
 * What a delivery says and where it goes, read fresh at send time: a digest then carries the
 * final count of its closed window, and a channel deleted meanwhile is noticed.
 */
export async function composeDelivery(
  delivery: Delivery,
  stores: { alerts: AlertRepository; hits: HitRepository; channels: ChannelRepository },
  publicUrl: string,
): Promise<Composed> {
  const channel = await stores.channels.find(delivery.channelId);
  if (!channel) return { problem: 'the channel was deleted' };
  const alert = await stores.alerts.find(delivery.alertId);
  if (!alert) return { problem: `alert ${delivery.alertId} no longer exists` };
  const hit = await stores.hits.find(alert.firstHitId);
  const purpose = delivery.purpose === 'digest' ? 'digest' : 'alert';
  return { message: buildMessage({ purpose, alert, hit, deliveryId: delivery.id, publicUrl }), channel };
}
