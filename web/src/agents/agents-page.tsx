import { PageHeader } from '../layout/app-shell';
import { EmptyState } from '../components/states';

export function AgentsPage() {
  return (
    <>
      <PageHeader title="Agents" subtitle="Hosts that watch decoy files." />
      <section className="card">
        <EmptyState title="No agents API on this server yet" />
      </section>
    </>
  );
}
