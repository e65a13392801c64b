import { useState } from 'react';
import { useApi } from '../auth/session';
import { ShownOnce } from '../components/shown-once';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { CreateKeyForm } from './create-key-form';
import { listKeys, type CreatedKey } from './key-api';
import { KeyTable } from './key-table';

export function KeysPage() {
  const api = useApi();
  const keys = useResource(() => listKeys(api), [api]);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  const list = keys.data;
  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Admin keys change everything, viewer keys read only, agent keys only report events and heartbeats. Last use is recorded about once a minute."
        actions={
          list && (
            <CreateKeyForm
              roles={list.roles}
              onCreated={(key) => {
                setCreated(key);
                const { key: _secret, ...record } = key;
                keys.update((current) => ({ ...current, items: [...current.items, record] }));
              }}
            />
          )
        }
      />
      {created && (
        <ShownOnce
          title={`New ${created.role} key for “${created.name}”: save it now, it is not shown again.`}
          value={created.key}
          help="Use it as Authorization: Bearer <key>, or TRIPLINE_KEY for the tripline command."
          onDone={() => setCreated(null)}
        />
      )}
      <section className="card">
        {keys.error && <ErrorBanner error={keys.error} onRetry={keys.reload} />}
        {!list && !keys.error && <Loading what="Loading keys" />}
        {list && list.items.length === 0 && <EmptyState title="No keys">Create one above.</EmptyState>}
        {list && list.items.length > 0 && (
          <KeyTable
            keys={list.items}
            onRevoked={(revoked) => keys.update((current) => ({ ...current, items: current.items.map((k) => (k.id === revoked.id ? revoked : k)) }))}
          />
        )}
      </section>
    </>
  );
}
