import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import { isoNow } from '../../core/time.js';
import type { ChannelsTable, Database } from '../schema.js';

export interface Channel {
  id: string;
  name: string;
  kind: string;
  isDefault: boolean;
  /** Kind-specific settings, secrets included: never hand this to an API response as is. */
  config: Record<string, unknown>;
  createdAt: string;
  /** Which alerts it takes (src/alerts/channel-filters.ts); {} takes all. */
  filters?: Record<string, unknown>;
}

/** Where an alert for a token goes: the channel's id and kind (kind labels the outbox row), and its filters (JSON). */
export interface DeliveryTarget {
  id: string;
  kind: string;
  filters: string;
}

export function channelFromRow(row: Selectable<ChannelsTable>): Channel {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    isDefault: Number(row.is_default) === 1,
    config: JSON.parse(row.config) as Record<string, unknown>,
    createdAt: row.created_at,
    filters: JSON.parse(row.filters) as Record<string, unknown>,
  };
}

export class ChannelRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(channel: Channel): Promise<Channel> {
    await this.db
      .insertInto('channels')
      .values({
        id: channel.id,
        name: channel.name,
        kind: channel.kind,
        is_default: channel.isDefault ? 1 : 0,
        config: JSON.stringify(channel.config),
        created_at: channel.createdAt,
        filters: JSON.stringify(channel.filters ?? {}),
      })
      .execute();
    return channel;
  }

  async find(id: string): Promise<Channel | undefined> {
    const row = await this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? channelFromRow(row) : undefined;
  }

  async get(id: string): Promise<Channel> {
    const channel = await this.find(id);
    if (!channel) throw new NotFoundError('channel', id);
    return channel;
  }

  /** Every channel, oldest first; an installation has a handful, so there is no paging. */
  async list(): Promise<Channel[]> {
    const rows = await this.db.selectFrom('channels').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(channelFromRow);
  }

  async setFilters(id: string, filters: Record<string, unknown>): Promise<Channel> {
    const result = await this.db
      .updateTable('channels')
      .set({ filters: JSON.stringify(filters) })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('channel', id);
    return this.get(id);
  }

  /** The ids among `ids` that name no channel. */
  async missing(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('channels').select('id').where('id', 'in', ids).execute();
    const found = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !found.has(id));
  }

  async linkToken(tokenId: string, channelIds: string[]): Promise<void> {
    const unique = [...new Set(channelIds)];
    if (unique.length === 0) return;
    await this.db
      .insertInto('token_channels')
      .values(unique.map((channelId) => ({ token_id: tokenId, channel_id: channelId })))
      .execute();
  }

  async idsForToken(tokenId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('token_channels').select('channel_id').where('token_id', '=', tokenId).orderBy('channel_id').execute();
    return rows.map((r) => r.channel_id);
  }

  /** The channels a token's alerts go to: those it named, else every default channel. */
  async targetsForToken(tokenId: string): Promise<DeliveryTarget[]> {
    const named = await this.db
      .selectFrom('token_channels')
      .innerJoin('channels', 'channels.id', 'token_channels.channel_id')
      .select(['channels.id', 'channels.kind', 'channels.filters'])
      .where('token_channels.token_id', '=', tokenId)
      .orderBy('channels.id')
      .execute();
    if (named.length > 0) return named;
    // A token that named channels which were all deleted falls back to the defaults too: an
    // alert with nowhere to go helps nobody.
    return this.db.selectFrom('channels').select(['id', 'kind', 'filters']).where('is_default', '=', 1).orderBy('id').execute();
  }

  /**
   * Removes a channel and its links to tokens. Its unsent deliveries become dead with the reason
   * (not deleted), so the alert history still shows where each alert did and did not go.
   */
  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('channels').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new NotFoundError('channel', id);
      await trx.deleteFrom('token_channels').where('channel_id', '=', id).execute();
      const now = isoNow();
      await trx
        .updateTable('deliveries')
        .set({ state: 'dead', last_error: 'the channel was deleted', updated_at: now, claim_id: null })
        .where('channel_id', '=', id)
        .where('state', 'in', ['pending', 'sending'])
        .execute();
    });
  }
}
