import { useState } from 'react';
import { useApi } from '../auth/session';
import { ShownOnce } from '../components/shown-once';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { useInterval } from '../hooks/use-interval';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { listAgents, type EnrolledAgent } from './agent-api';
import { AgentTable } from './agent-table';
import { EnrollForm } from './enroll-form';

// Heartbeats have no event of their own; a refresh this often shows an agent going silent
// within a heartbeat interval or two.
const REFRESH_MS = 15_000;

export function AgentsPage() {
  const api = useApi();
  const agents = useResource(() => listAgents(api), [api]);
  const [enrolled, setEnrolled] = useState<EnrolledAgent | null>(null);
  useInterval(agents.reload, REFRESH_MS);

  const list = agents.data;
  const online = list?.items.filter((agent) => agent.online).length ?? 0;
  return (
    <>
      <PageHeader
        title="Agents"
        subtitle={
          list
            ? `${online} of ${list.items.length} online. An agent is online while it has sent a heartbeat in the last ${list.onlineWindowSeconds} s.`
            : 'Hosts that watch decoy files.'
        }
        actions={
          <EnrollForm
            onEnrolled={(agent) => {
              setEnrolled(agent);
              agents.reload();
            }}
          />
        }
      />
      {enrolled && (
        <ShownOnce
          title={`Agent key for “${enrolled.name}”: save it now, it is not shown again.`}
          value={enrolled.key}
          help={
            <>
              Start the agent on that host with it: --agent-key or TRIPLINE_AGENT_KEY. The key reports for node{' '}
              <span className="mono">{enrolled.enrolledNode}</span> only (the agent's --node-name, by default its host name).
            </>
          }
          onDone={() => setEnrolled(null)}
        />
      )}
      <section className="card">
        {agents.error && <ErrorBanner error={agents.error} onRetry={agents.reload} />}
        {!list && !agents.error && <Loading what="Loading agents" />}
        {list && list.items.length === 0 && <EmptyState title="No agents enrolled">Enroll one for each host that should watch decoy files.</EmptyState>}
        {list && list.items.length > 0 && (
          <AgentTable
            agents={list.items}
            onRevoked={(id) => agents.update((current) => ({ ...current, items: current.items.filter((agent) => agent.id !== id) }))}
          />
        )}
      </section>
    </>
  );
}
