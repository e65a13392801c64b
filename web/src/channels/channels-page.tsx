import { useState } from 'react';
import type { Channel } from '../api/types';
import { useApi } from '../auth/session';
import { CopyButton } from '../components/copy-button';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { asText } from '../hits/detail-values';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { listChannels, type CreatedChannel } from './channel-api';
import { failuresByChannel } from './channel-failures';
import { ChannelForm } from './channel-form';
import { ChannelTable } from './channel-table';

const VIEW_FIELDS = new Set(['id', 'name', 'kind', 'isDefault', 'settings', 'filters', 'createdAt']);

export function ChannelsPage() {
  const api = useApi();
  const channels = useResource(() => listChannels(api), [api]);
  const failures = useResource(() => failuresByChannel(api).catch(() => new Map()), [api]);
  const [revealed, setRevealed] = useState<{ channel: string; values: [string, string][] } | null>(null);

  const added = (created: CreatedChannel) => {
    // Anything beyond the ordinary view is a value the server shows only now (a generated secret).
    const extra = Object.entries(created)
      .filter(([name]) => !VIEW_FIELDS.has(name))
      .map(([name, value]): [string, string] => [name, asText(value) ?? '']);
    setRevealed(extra.length > 0 ? { channel: created.name, values: extra } : null);
    const view: Channel = {
      id: created.id,
      name: created.name,
      kind: created.kind,
      isDefault: created.isDefault,
      settings: created.settings,
      filters: created.filters,
      createdAt: created.createdAt,
    };
    channels.update((list) => ({ ...list, items: [...list.items, view] }));
  };

  const list = channels.data;
  return (
    <>
      <PageHeader title="Channels" subtitle="Where alerts are delivered. Send a test to check one end to end." />
      {revealed && (
        <section className="banner banner-warning reveal" role="status">
          <div>
            <strong>Save this now for “{revealed.channel}”: it is not shown again.</strong>
            {revealed.values.map(([name, value]) => (
              <div key={name} className="artifact-line">
                <span className="field-label">{name}</span>
                <code className="mono artifact-code">{value}</code>
                <CopyButton value={value} />
              </div>
            ))}
          </div>
          <button type="button" className="button button-small" onClick={() => setRevealed(null)}>
            Done
          </button>
        </section>
      )}
      <section className="card">
        {channels.error && <ErrorBanner error={channels.error} onRetry={channels.reload} />}
        {!list && !channels.error && <Loading what="Loading channels" />}
        {list && list.items.length === 0 && <EmptyState title="No channels yet">Hits are recorded, but no one is told. Add a channel below.</EmptyState>}
        {list && list.items.length > 0 && (
          <ChannelTable
            channels={list.items}
            failures={failures.data ?? new Map()}
            onDeleted={(id) => channels.update((current) => ({ ...current, items: current.items.filter((c) => c.id !== id) }))}
          />
        )}
      </section>
      {list && (
        <section className="card card-padded">
          <h2 className="card-title">Add a channel</h2>
          <ChannelForm kinds={list.kinds} onCreated={added} />
        </section>
      )}
    </>
  );
}
