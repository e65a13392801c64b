import { Fragment, useState } from 'react';
import type { Agent } from '../api/types';
import { useApi } from '../auth/session';
import { StatusBadge } from '../components/badges';
import { ConfirmButton } from '../components/confirm-button';
import { DataTable, ExpandToggleCell, TOGGLE_COLUMN } from '../components/data-table';
import { Time } from '../components/time';
import { plural } from '../format';
import { revokeAgent } from './agent-api';
import { AgentDetail } from './agent-detail';
import { AgentStatusBadge, policyProblems, watchProblems } from './agent-status';

interface AgentTableProps {
  agents: Agent[];
  onRevoked(id: string): void;
}

export function AgentTable({ agents, onRevoked }: AgentTableProps) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <DataTable
      label="Agents"
      columns={[
        TOGGLE_COLUMN,
        { label: 'Agent' },
        { label: 'Status' },
        { label: 'Last heartbeat' },
        { label: 'Policies' },
        { label: 'Watched files' },
        { label: 'Actions', hidden: true },
      ]}
    >
      {agents.map((agent) => {
        const expanded = open === agent.id;
        const badPolicies = policyProblems(agent);
        const badWatches = watchProblems(agent);
        return (
          <Fragment key={agent.id}>
            <tr data-agent-id={agent.id} className={expanded ? 'hit-row-open' : undefined}>
              <ExpandToggleCell expanded={expanded} onToggle={() => setOpen(expanded ? null : agent.id)} what="policies and files" />
              <td>
                <div className="cell-main">
                  <span className="row-title">{agent.name}</span>
                  <span className="mono muted">
                    {agent.node ?? 'no heartbeat yet'}
                    {agent.version ? ` · ${agent.version}` : ''}
                  </span>
                  {Object.keys(agent.labels).length > 0 && (
                    <span className="mono muted">
                      {Object.entries(agent.labels)
                        .map(([key, value]) => `${key}=${value}`)
                        .join(' ')}
                    </span>
                  )}
                </div>
              </td>
              <td>
                <AgentStatusBadge agent={agent} />
              </td>
              <td className="nowrap">
                <Time iso={agent.lastHeartbeat} fallback="never" />
              </td>
              <td>
                <span className="badge-row">
                  <span>{plural(agent.policies.length, 'policy', 'policies')}</span>
                  {badPolicies > 0 && <StatusBadge tone="bad">{`${badPolicies} refused`}</StatusBadge>}
                </span>
              </td>
              <td>
                <span className="badge-row">
                  <span>{plural(agent.watched.length, 'file')}</span>
                  {badWatches > 0 && <StatusBadge tone="bad">{`${badWatches} not watched`}</StatusBadge>}
                </span>
              </td>
              <td>
                <RevokeButton agent={agent} onRevoked={onRevoked} />
              </td>
            </tr>
            {expanded && (
              <tr className="hit-detail-row">
                <td colSpan={7}>
                  <AgentDetail agent={agent} />
                </td>
              </tr>
            )}
          </Fragment>
        );
      })}
    </DataTable>
  );
}

function RevokeButton({ agent, onRevoked }: { agent: Agent; onRevoked(id: string): void }) {
  const api = useApi();
  return (
    <ConfirmButton
      label="Revoke"
      confirmLabel="Revoke key"
      onConfirm={async () => {
        await revokeAgent(api, agent.id);
        onRevoked(agent.id);
      }}
    />
  );
}
