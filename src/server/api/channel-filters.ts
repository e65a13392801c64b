import type { FastifyInstance } from 'fastify';
import type { ChannelService } from '../../alerts/channel-service.js';
import { channelFiltersSchema } from '../../alerts/channel-filters.js';
import { rowId } from './channels.js';
import { parseInput } from './validate.js';

export interface ChannelFilterRoutesOptions {
  channels: ChannelService;
}

/** PUT /channels/:id/filters: which alerts the channel takes (minimum severity, token tags, kinds); {} takes all. */
export async function channelFilterRoutes(app: FastifyInstance, { channels }: ChannelFilterRoutesOptions): Promise<void> {
  app.put('/channels/:id/filters', async (request) => {
    const id = rowId('channel', request.params);
    const filters = parseInput(channelFiltersSchema, request.body, 'body');
    const channel = await channels.repository.setFilters(id, filters);
    return channels.present(channel);
  });
}
