import type { Agent } from '../api/types';
import { StatusBadge } from '../components/badges';
import { DataTable } from '../components/data-table';
import { Facts } from '../components/fields';
import { absoluteTime } from '../format';
import { Link, paths } from '../router';

/** What an agent last reported: its policies (with their errors), the files it watches and its decoys in containers. */
export function AgentDetail({ agent }: { agent: Agent }) {
  return (
    <div className="agent-detail">
      <Facts
        items={[
          ['Agent id', <span className="mono">{agent.id}</span>],
          ['Host', agent.node ? <span className="mono">{agent.node}</span> : null],
          ['Version', agent.version ? <span className="mono">{agent.version}</span> : null],
          ['Running since', agent.startedAt ? absoluteTime(agent.startedAt) : null],
          ['Enrolled', absoluteTime(agent.createdAt)],
          ['Events accepted', agent.eventsAccepted.toLocaleString()],
        ]}
      />
      <h4 className="detail-heading">Policies</h4>
      {agent.policies.length === 0 ? (
        <p className="muted">No policies reported.</p>
      ) : (
        <DataTable label="Policies" compact columns={[{ label: 'File' }, { label: 'Policy' }, { label: 'State' }, { label: 'Errors and warnings' }]}>
          {agent.policies.map((policy) => (
            <tr key={policy.file}>
              <td className="mono break">{policy.file}</td>
              <td className="mono">{policy.name ?? <span className="muted">—</span>}</td>
              <td>{policy.ok ? <StatusBadge tone="good">loaded</StatusBadge> : <StatusBadge tone="bad">refused</StatusBadge>}</td>
              <td>
                <ul className="messages">
                  {policy.errors.map((message, index) => (
                    <li key={`e${index}`} className="error-text break">
                      {message}
                    </li>
                  ))}
                  {policy.warnings.map((message, index) => (
                    <li key={`w${index}`} className="warn-text break">
                      {message}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h4 className="detail-heading">Watched files</h4>
      {agent.watched.length === 0 ? (
        <p className="muted">No watched files reported.</p>
      ) : (
        <DataTable label="Watched files" compact columns={[{ label: 'Path' }, { label: 'Token' }, { label: 'State' }]}>
          {agent.watched.map((watch) => (
            <tr key={watch.path}>
              <td className="mono break">{watch.path}</td>
              <td className="mono">{watch.tokenId ? <Link to={paths.token(watch.tokenId)}>{watch.tokenId}</Link> : <span className="muted">—</span>}</td>
              <td>
                {watch.ok ? (
                  <StatusBadge tone="good">watched</StatusBadge>
                ) : (
                  <span className="cell-main">
                    <StatusBadge tone="bad">not watched</StatusBadge>
                    {watch.error && <span className="error-text break">{watch.error}</span>}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {agent.containerDecoys.length > 0 && (
        <>
          <h4 className="detail-heading">Decoys in containers</h4>
          <DataTable
            label="Decoys in containers"
            compact
            columns={[{ label: 'Pod' }, { label: 'Container' }, { label: 'Path' }, { label: 'Token' }, { label: 'State' }]}
          >
            {agent.containerDecoys.map((copy) => (
              <tr key={`${copy.decoy}/${copy.container.id}`}>
                <td className="mono break">{`${copy.pod.namespace}/${copy.pod.name}`}</td>
                <td className="mono">{copy.container.name}</td>
                <td className="mono break">{copy.path}</td>
                <td className="mono">{copy.tokenId ? <Link to={paths.token(copy.tokenId)}>{copy.tokenId}</Link> : <span className="muted">—</span>}</td>
                <td>
                  {copy.state === 'planted' ? (
                    <StatusBadge tone="good">{`planted, inode ${copy.inode}`}</StatusBadge>
                  ) : (
                    <span className="cell-main">
                      <StatusBadge tone="bad">{copy.state}</StatusBadge>
                      {copy.error && <span className="error-text break">{copy.error}</span>}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </div>
  );
}
