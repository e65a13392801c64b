import { useState } from 'react';
import type { Page, Token } from '../api/types';
import { useApi } from '../auth/session';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { plural } from '../format';
import { useDebounced } from '../hooks/use-debounced';
import { useFlash } from '../hooks/use-flash';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { Link, paths } from '../router';
import { withHit } from './apply-hit';
import { listTokens } from './token-api';
import { TokenFilters } from './token-filters';
import { TokenTable } from './token-table';
import { useTokenKinds } from './use-token-kinds';

export function TokensPage() {
  const api = useApi();
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState('');
  const settledSearch = useDebounced(search);
  const generation = useLiveGeneration();
  const kinds = useTokenKinds();
  const tokens = useResource(() => listTokens(api, { search: settledSearch, kind }), [api, settledSearch, kind, generation]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [recentlyHit, flash] = useFlash();

  useLiveHits((hit) => {
    tokens.update((page) => ({ ...page, items: page.items.map((token) => withHit(token, hit)) }));
    flash(hit.tokenId);
  });

  const replace = (changed: Token) => tokens.update((page) => ({ ...page, items: page.items.map((token) => (token.id === changed.id ? changed : token)) }));

  const loadMore = async (page: Page<Token>) => {
    setLoadingMore(true);
    try {
      const next = await listTokens(api, { search: settledSearch, kind, cursor: page.nextCursor });
      tokens.update((current) => ({ items: [...current.items, ...next.items], nextCursor: next.nextCursor }));
    } finally {
      setLoadingMore(false);
    }
  };

  const filtered = settledSearch.trim() !== '' || kind !== '';
  const page = tokens.data;
  return (
    <>
      <PageHeader
        title="Tokens"
        subtitle="Every canary you have handed out, and whether anyone has touched it."
        actions={
          <Link to={paths.newToken()} className="button button-primary">
            New token
          </Link>
        }
      />
      <section className="card">
        <div className="card-toolbar">
          <TokenFilters search={search} kind={kind} kinds={kinds.data ?? []} onSearch={setSearch} onKind={setKind} />
          {page && (
            <span className="muted">
              {plural(page.items.length, 'token')}
              {page.nextCursor ? ' shown' : ''}
            </span>
          )}
        </div>
        {tokens.error && <ErrorBanner error={tokens.error} onRetry={tokens.reload} />}
        {!page && !tokens.error && <Loading what="Loading tokens" />}
        {page && page.items.length === 0 && (
          <EmptyState title={filtered ? 'No token matches' : 'No tokens yet'}>
            {filtered ? 'Try another search or kind.' : <Link to={paths.newToken()}>Create your first token</Link>}
          </EmptyState>
        )}
        {page && page.items.length > 0 && <TokenTable tokens={page.items} recentlyHit={recentlyHit} onChanged={replace} />}
        {page?.nextCursor && (
          <div className="card-foot">
            <button type="button" className="button" disabled={loadingMore} onClick={() => loadMore(page)}>
              {loadingMore ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </section>
    </>
  );
}
