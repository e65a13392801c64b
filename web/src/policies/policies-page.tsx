import { useApi } from '../auth/session';
import { StatusBadge, type Tone } from '../components/badges';
import { ConfirmButton } from '../components/confirm-button';
import { DataTable } from '../components/data-table';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { Time } from '../components/time';
import { useInterval } from '../hooks/use-interval';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { deletePolicy, listPolicies, type AgentPolicyStatus, type FleetPolicy } from './policy-api';

// Agents report what they loaded in heartbeats; a refresh this often follows them.
const REFRESH_MS = 5_000;

const TONES: Record<AgentPolicyStatus['state'], Tone> = { loaded: 'good', error: 'bad', pending: 'neutral' };

function targetText(target: FleetPolicy['target']): string {
  const parts = [...target.agents.map((a) => `agent ${a}`), ...Object.entries(target.labels).map(([k, v]) => `${k}=${v}`)];
  return parts.length === 0 ? 'all agents' : parts.join(', ');
}

export function PoliciesPage() {
  const api = useApi();
  const policies = useResource(() => listPolicies(api), [api]);
  useInterval(policies.reload, REFRESH_MS);
  const list = policies.data;
  return (
    <>
      <PageHeader
        title="Policies"
        subtitle="TracingPolicies kept on the server and handed to the agents they target (tripline policy apply), with what each agent reports for them."
      />
      <section className="card">
        {policies.error && <ErrorBanner error={policies.error} onRetry={policies.reload} />}
        {!list && !policies.error && <Loading what="Loading policies" />}
        {list && list.items.length === 0 && <EmptyState title="No central policies">Apply one with tripline policy apply -f FILE.</EmptyState>}
        {list && list.items.length > 0 && (
          <DataTable
            label="Policies"
            columns={[{ label: 'Policy' }, { label: 'Target' }, { label: 'Updated' }, { label: 'Agents' }, { label: 'Actions', hidden: true }]}
          >
            {list.items.map((policy) => (
              <tr key={policy.name} data-policy-name={policy.name}>
                <td className="mono">{policy.name}</td>
                <td>{targetText(policy.target)}</td>
                <td className="nowrap">
                  <Time iso={policy.updatedAt} />
                </td>
                <td>
                  {policy.agents.length === 0 ? (
                    <span className="muted">no agent targeted</span>
                  ) : (
                    <ul className="messages">
                      {policy.agents.map((status) => (
                        <li key={status.agentId} data-agent={status.agent}>
                          <span className="badge-row">
                            <span className="mono">{status.agent}</span>
                            <StatusBadge tone={TONES[status.state]}>{status.state}</StatusBadge>
                          </span>
                          {status.errors.map((message, index) => (
                            <div key={index} className="error-text break mono">
                              {message}
                            </div>
                          ))}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <ConfirmButton
                    label="Delete"
                    confirmLabel="Delete policy"
                    onConfirm={async () => {
                      await deletePolicy(api, policy.name);
                      policies.reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
