import type { ApiClient } from '../api/client';
import type { Channel, ChannelList, ChannelTestResult } from '../api/types';

export function listChannels(api: ApiClient): Promise<ChannelList> {
  return api.get('/channels');
}

export interface NewChannel {
  kind: string;
  name?: string;
  default?: boolean;
  url?: string;
  secret?: string;
  to?: string[];
  severity?: string;
  format?: string;
  facility?: string;
  ca?: string;
  token?: string;
  apiKey?: string;
  routingKey?: string;
  botToken?: string;
  chatId?: string;
  index?: string;
  sourcetype?: string;
}

/** The created channel, plus any value the server reveals only this once (a generated secret). */
export type CreatedChannel = Channel & Record<string, unknown>;

export function createChannel(api: ApiClient, channel: NewChannel): Promise<CreatedChannel> {
  return api.post('/channels', channel);
}

export function deleteChannel(api: ApiClient, id: string): Promise<void> {
  return api.delete(`/channels/${encodeURIComponent(id)}`);
}

export function testChannel(api: ApiClient, id: string): Promise<ChannelTestResult> {
  return api.post(`/channels/${encodeURIComponent(id)}/test`);
}
