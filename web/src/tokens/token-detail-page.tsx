import type { Token } from '../api/types';
import { useApi } from '../auth/session';
import { KindBadge, StatusBadge } from '../components/badges';
import { CopyButton } from '../components/copy-button';
import { DecoyTable } from '../decoys/decoys-page';
import { ErrorBanner, Loading } from '../components/states';
import { Time } from '../components/time';
import { plural } from '../format';
import { useResource } from '../hooks/use-resource';
import { HitsChart } from '../hits/hits-chart';
import { HitsTable } from '../hits/hits-table';
import { PageHeader } from '../layout/app-shell';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { Link, paths } from '../router';
import { withHit } from './apply-hit';
import { ArtifactPanel } from './artifact-panel';
import { getToken } from './token-api';
import { TokenEnabledSwitch } from './token-enabled-switch';

export function TokenDetailPage({ id }: { id: string }) {
  const api = useApi();
  const generation = useLiveGeneration();
  const token = useResource(() => getToken(api, id), [api, id, generation]);

  useLiveHits((hit) => {
    if (hit.tokenId === id) token.update((current) => withHit(current, hit));
  });

  if (token.error) {
    return (
      <>
        <Breadcrumb />
        <ErrorBanner error={token.error} onRetry={token.reload} />
      </>
    );
  }
  if (!token.data) return <Loading what="Loading token" />;
  const current = token.data;
  return (
    <>
      <Breadcrumb />
      <PageHeader
        title={current.memo}
        subtitle={
          <span className="subtitle-line">
            <KindBadge kind={current.kind} />
            <span className="mono">{current.id}</span>
            <CopyButton value={current.id} label="Copy id" />
          </span>
        }
        actions={<TokenEnabledSwitch token={current} onChanged={(changed) => token.update(() => changed)} />}
      />
      <TokenStats token={current} />
      <HitsChart tokenId={current.id} />
      <HitsTable tokenId={current.id} />
      <section className="card card-padded">
        <h2 className="card-title">Artifact</h2>
        <ArtifactPanel artifact={current.artifact} />
      </section>
      {current.kind === 'file' && (
        <section className="card card-padded">
          <h2 className="card-title">Where its decoys are</h2>
          <DecoyTable tokenId={current.id} />
        </section>
      )}
    </>
  );
}

function Breadcrumb() {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to={paths.tokens()}>Tokens</Link>
      <span aria-hidden="true"> / </span>
    </nav>
  );
}

function TokenStats({ token }: { token: Token }) {
  return (
    <div className="stats">
      <div className="stat">
        <span className="stat-label">Total hits</span>
        <span className="stat-value" data-testid="token-hit-count">
          {token.hitCount.toLocaleString()}
        </span>
        {token.hitsKept < token.hitCount && (
          <span className="muted" data-testid="token-hits-kept">
            {plural(token.hitCount, 'hit')}, {token.hitsKept.toLocaleString()} kept in full
          </span>
        )}
      </div>
      <div className="stat">
        <span className="stat-label">Last hit</span>
        <span className="stat-value stat-value-small">
          <Time iso={token.lastHitAt} fallback="never" />
        </span>
      </div>
      <div className="stat">
        <span className="stat-label">Status</span>
        <span className="stat-value stat-value-small">
          {token.enabled ? <StatusBadge tone="good">Armed</StatusBadge> : <StatusBadge tone="neutral">Disabled</StatusBadge>}
        </span>
      </div>
      <div className="stat">
        <span className="stat-label">Severity</span>
        <span className="stat-value stat-value-small" data-testid="token-severity">
          {token.severity}
        </span>
        {token.tags.length > 0 && (
          <span className="muted" data-testid="token-tags">
            {token.tags.join(', ')}
          </span>
        )}
      </div>
      <div className="stat">
        <span className="stat-label">Created</span>
        <span className="stat-value stat-value-small">
          <Time iso={token.createdAt} />
        </span>
      </div>
    </div>
  );
}
