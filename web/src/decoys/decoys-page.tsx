import { useApi } from '../auth/session';
import { StatusBadge, type Tone } from '../components/badges';
import { DataTable } from '../components/data-table';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { Time } from '../components/time';
import { useInterval } from '../hooks/use-interval';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { Link, paths } from '../router';
import { listDecoys, type Decoy } from './decoy-api';

// Agents report their decoys in heartbeats; a refresh this often follows them.
const REFRESH_MS = 15_000;

const TONES: Record<Decoy['state'], Tone> = { watched: 'good', missing: 'bad', withdrawn: 'neutral', unplanted: 'warn' };

/** Decoys as a table: where each is planted and whether it is still there. `tokenId` narrows to one token's. */
export function DecoyTable({ tokenId }: { tokenId?: string }) {
  const api = useApi();
  const decoys = useResource(() => listDecoys(api, tokenId), [api, tokenId]);
  useInterval(decoys.reload, REFRESH_MS);
  const list = decoys.data;
  if (decoys.error) return <ErrorBanner error={decoys.error} onRetry={decoys.reload} />;
  if (!list) return <Loading what="Loading decoys" />;
  if (list.items.length === 0) return <EmptyState title="No decoys reported">Agents list the decoys their policies watch in each heartbeat.</EmptyState>;
  return (
    <DataTable
      label="Decoys"
      columns={[
        { label: 'Node' },
        { label: 'Pod / container' },
        { label: 'Path' },
        { label: 'Inode' },
        { label: 'Token' },
        { label: 'State' },
        { label: 'Last verified' },
      ]}
    >
      {list.items.map((decoy) => (
        <tr key={`${decoy.agentId}:${decoy.container ?? ''}:${decoy.path}`} data-decoy-path={decoy.path} data-decoy-container={decoy.container ?? ''}>
          <td className="mono">{decoy.node ?? decoy.agentId}</td>
          <td className="mono break" title={decoy.container ?? undefined}>
            {decoy.pod ? `${decoy.pod} · ${decoy.containerName ?? decoy.container}` : 'host'}
          </td>
          <td className="mono break">{decoy.path}</td>
          <td className="mono">{decoy.inode ?? '—'}</td>
          <td className="mono">{decoy.tokenId ? <Link to={paths.token(decoy.tokenId)}>{decoy.tokenId}</Link> : '—'}</td>
          <td>
            <StatusBadge tone={TONES[decoy.state]}>{decoy.state}</StatusBadge>
            {decoy.error && <div className="error-text break">{decoy.error}</div>}
          </td>
          <td className="nowrap">
            <Time iso={decoy.lastVerifiedAt} fallback="never" />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function DecoysPage() {
  return (
    <>
      <PageHeader
        title="Decoys"
        subtitle="Every decoy file the agents watch, on hosts and copied into containers, where it is planted, and whether it is still there."
      />
      <section className="card">
        <DecoyTable />
      </section>
    </>
  );
}
