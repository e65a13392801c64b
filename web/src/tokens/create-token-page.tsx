import { useState } from 'react';
import type { Token } from '../api/types';
import { useApi } from '../auth/session';
import { ErrorBanner, Loading } from '../components/states';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { Link, paths } from '../router';
import { listChannels } from '../channels/channel-api';
import { ArtifactPanel } from './artifact-panel';
import { KindPicker } from './kind-picker';
import { TokenForm } from './token-form';
import { useTokenKinds } from './use-token-kinds';

export function CreateTokenPage() {
  const api = useApi();
  const kinds = useTokenKinds();
  // Channels are optional: a server without any (or without the API) still creates tokens.
  const channels = useResource(() => listChannels(api).catch(() => undefined), [api]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [created, setCreated] = useState<Token | null>(null);

  if (created) return <CreatedToken token={created} onAnother={() => setCreated(null)} />;

  const kind = kinds.data?.find((k) => k.kind === chosen) ?? kinds.data?.[0];
  return (
    <>
      <PageHeader title="New token" subtitle="Pick what the canary looks like; the server builds the artifact to plant." />
      {kinds.error && <ErrorBanner error={kinds.error} onRetry={kinds.reload} />}
      {!kinds.data && !kinds.error && <Loading what="Loading token kinds" />}
      {kinds.data && kind && (
        <section className="card card-padded">
          <KindPicker kinds={kinds.data} chosen={kind.kind} onChoose={setChosen} />
          <TokenForm key={kind.kind} kind={kind} channels={channels.data?.items} onCreated={setCreated} />
        </section>
      )}
    </>
  );
}

function CreatedToken({ token, onAnother }: { token: Token; onAnother(): void }) {
  return (
    <>
      <PageHeader
        title="Token created"
        subtitle={token.memo}
        actions={
          <>
            <button type="button" className="button" onClick={onAnother}>
              Create another
            </button>
            <Link to={paths.token(token.id)} className="button button-primary">
              Open token
            </Link>
          </>
        }
      />
      <section className="card card-padded">
        <h2 className="card-title">Artifact</h2>
        <p className="muted">Plant this where only an intruder would find it. It fires when used; nothing here fires it.</p>
        <ArtifactPanel artifact={token.artifact} />
      </section>
    </>
  );
}
