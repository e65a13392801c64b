import type { Channel } from '../api/types';
import { useApi } from '../auth/session';
import { KindBadge, StatusBadge } from '../components/badges';
import { ConfirmButton } from '../components/confirm-button';
import { DataTable } from '../components/data-table';
import { Time } from '../components/time';
import { asText } from '../hits/detail-values';
import { deleteChannel } from './channel-api';
import type { ChannelFailures } from './channel-failures';
import { ChannelTestButton } from './channel-test-button';

interface ChannelTableProps {
  channels: Channel[];
  failures: ReadonlyMap<string, ChannelFailures>;
  onDeleted(id: string): void;
}

export function ChannelTable({ channels, failures, onDeleted }: ChannelTableProps) {
  return (
    <DataTable
      label="Channels"
      columns={[{ label: 'Channel' }, { label: 'Settings' }, { label: 'Failures' }, { label: 'Test' }, { label: 'Actions', hidden: true }]}
    >
      {channels.map((channel) => (
        <tr key={channel.id} data-channel-id={channel.id}>
          <td>
            <div className="cell-main">
              <span className="row-title">{channel.name}</span>
              <span className="badge-row">
                <KindBadge kind={channel.kind} />
                {channel.isDefault && <StatusBadge tone="info">default</StatusBadge>}
              </span>
            </div>
          </td>
          <td>
            <ChannelSettings settings={channel.settings} />
            <ChannelFilters filters={channel.filters} />
          </td>
          <td>
            <FailureSummary failures={failures.get(channel.id)} />
          </td>
          <td>
            <ChannelTestButton channel={channel} />
          </td>
          <td>
            <DeleteChannelButton channel={channel} onDeleted={onDeleted} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function ChannelSettings({ settings }: { settings: Record<string, unknown> }) {
  const entries = Object.entries(settings).filter(([, value]) => value !== undefined && value !== null);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="inline-facts">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd className="mono break">{Array.isArray(value) ? value.map(asText).join(', ') : asText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Which alerts the channel takes, when it does not take them all. */
function ChannelFilters({ filters }: { filters: Channel['filters'] }) {
  const parts = [
    filters.minSeverity && `severity ${filters.minSeverity} or more`,
    filters.tags?.length && `tags ${filters.tags.join(', ')}`,
    filters.kinds?.length && `kinds ${filters.kinds.join(', ')}`,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <p className="muted" data-testid="channel-filters">
      Only {parts.join('; ')}
    </p>
  );
}

function FailureSummary({ failures }: { failures: ChannelFailures | undefined }) {
  if (!failures) return <StatusBadge tone="good">none recent</StatusBadge>;
  return (
    <span className="cell-main">
      <span className="badge-row">
        {failures.gaveUp > 0 && <StatusBadge tone="bad">{`${failures.gaveUp} given up`}</StatusBadge>}
        {failures.retrying > 0 && <StatusBadge tone="warn">{`${failures.retrying} retrying`}</StatusBadge>}
      </span>
      {failures.lastError && <span className="error-text break">{failures.lastError}</span>}
      <span className="muted">
        last <Time iso={failures.lastAt} />
      </span>
    </span>
  );
}

function DeleteChannelButton({ channel, onDeleted }: { channel: Channel; onDeleted(id: string): void }) {
  const api = useApi();
  return (
    <ConfirmButton
      label="Delete"
      confirmLabel="Really delete"
      onConfirm={async () => {
        await deleteChannel(api, channel.id);
        onDeleted(channel.id);
      }}
    />
  );
}
