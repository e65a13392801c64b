import { useMemo } from 'react';
import { useApi } from '../auth/session';
import { useResource } from '../hooks/use-resource';
import { listChannels } from './channel-api';

/** Channel names by id, for tables that only carry the id; empty until loaded or if unavailable. */
export function useChannelNames(): ReadonlyMap<string, string> {
  const api = useApi();
  const channels = useResource(() => listChannels(api).catch(() => undefined), [api]);
  return useMemo(() => new Map((channels.data?.items ?? []).map((c) => [c.id, c.name])), [channels.data]);
}
