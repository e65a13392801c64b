import { useState } from 'react';
import type { Channel } from '../api/types';
import { useApi } from '../auth/session';
import { KindBadge, StatusBadge } from '../components/badges';
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
    <DataTable label="Channels" columns={[{ label: 'Channel' }, { label: 'Settings' }, { label: 'Failures' }, { label: 'Test' }, { label: 'Actions', hidden: true }]}>
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

function FailureSummary({ failures }: { failures: ChannelFailures | undefined }) {
  if (!failures) return <StatusBadge tone="good">none recent</StatusBadge>;
  return (
    <span className="cell-main">
      <StatusBadge tone="bad">{`${failures.count} given up`}</StatusBadge>
      {failures.lastError && <span className="error-text break">{failures.lastError}</span>}
      <span className="muted">
        last <Time iso={failures.lastAt} />
      </span>
    </span>
  );
}

function DeleteChannelButton({ channel, onDeleted }: { channel: Channel; onDeleted(id: string): void }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <button type="button" className="button button-small button-ghost" onClick={() => setConfirming(true)}>
        Delete
      </button>
    );
  }
  return (
    <span className="inline-action">
      <button
        type="button"
        className="button button-small button-danger"
        onClick={async () => {
          try {
            await deleteChannel(api, channel.id);
            onDeleted(channel.id);
          } catch (failure) {
            setError((failure as Error).message);
          }
        }}
      >
        Really delete
      </button>
      <button type="button" className="button button-small button-ghost" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {error && <span className="error-text">{error}</span>}
    </span>
  );
}
