import { Fragment, useEffect, useState } from 'react';
import type { Hit, Page } from '../api/types';
import { useApi } from '../auth/session';
import { DataTable, ExpandToggleCell, TOGGLE_COLUMN } from '../components/data-table';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { Time } from '../components/time';
import { plural } from '../format';
import { useResource } from '../hooks/use-resource';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { listHits } from '../tokens/token-api';
import { HitDetail } from './hit-detail';
import { hitSummary } from './hit-summary';

/**
 * A token's hits, newest first, a page at a time. New hits slide in at the top of the first page;
 * on older pages a notice offers to jump back to them.
 */
export function HitsTable({ tokenId }: { tokenId: string }) {
  const api = useApi();
  const generation = useLiveGeneration();
  // cursors[n] is the cursor that loads page n; page 0 starts at the newest hit.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex] ?? null;
  const hits = useResource(() => listHits(api, tokenId, cursor), [api, tokenId, cursor, generation]);
  const [open, setOpen] = useState<string | null>(null);
  const [missed, setMissed] = useState(0);

  useLiveHits((hit) => {
    if (hit.tokenId !== tokenId) return;
    if (pageIndex > 0) {
      setMissed((n) => n + 1);
      return;
    }
    hits.update((page): Page<Hit> => (page.items.some((h) => h.id === hit.id) ? page : { ...page, items: [hit, ...page.items] }));
  });

  // Back on the first page, the missed hits are on screen.
  useEffect(() => {
    if (pageIndex === 0) setMissed(0);
  }, [pageIndex]);

  const toFirstPage = () => {
    setMissed(0);
    setCursors([null]);
  };

  const page = hits.data;
  return (
    <section className="card" aria-labelledby="hits-title">
      <div className="card-toolbar">
        <h2 className="card-title" id="hits-title">
          Hits
        </h2>
        <span className="muted">Page {pageIndex + 1}</span>
      </div>
      {missed > 0 && (
        <div className="banner banner-info">
          <span>{plural(missed, 'new hit')} since this page was loaded.</span>
          <button type="button" className="button button-small" onClick={toFirstPage}>
            Show newest
          </button>
        </div>
      )}
      {hits.error && <ErrorBanner error={hits.error} onRetry={hits.reload} />}
      {!page && !hits.error && <Loading what="Loading hits" />}
      {page && page.items.length === 0 && <EmptyState title="No hits yet">Nobody has touched this token. New hits appear here as they happen.</EmptyState>}
      {page && page.items.length > 0 && (
        <DataTable label="Hits" columns={[TOGGLE_COLUMN, { label: 'When' }, { label: 'Source' }, { label: 'What' }, { label: 'User agent' }]}>
          {page.items.map((hit) => {
            const expanded = open === hit.id;
            return (
              <Fragment key={hit.id}>
                <tr className={`hit-row ${expanded ? 'hit-row-open' : ''}`} data-hit-id={hit.id} onClick={() => setOpen(expanded ? null : hit.id)}>
                  <ExpandToggleCell expanded={expanded} onToggle={() => setOpen(expanded ? null : hit.id)} what="hit details" />
                  <td className="nowrap">
                    <Time iso={hit.at} />
                  </td>
                  <td className="mono nowrap">{hit.source}</td>
                  <td className="mono cell-clip" title={hitSummary(hit)}>
                    {hitSummary(hit)}
                  </td>
                  <td className="mono cell-clip" title={hit.userAgent ?? undefined} data-testid="hit-row-user-agent">
                    {hit.userAgent ?? <span className="muted">—</span>}
                  </td>
                </tr>
                {expanded && (
                  <tr className="hit-detail-row">
                    <td colSpan={5}>
                      <HitDetail hit={hit} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </DataTable>
      )}
      {page && (pageIndex > 0 || page.nextCursor) && (
        <div className="card-foot pager">
          <button type="button" className="button" disabled={pageIndex === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← Newer
          </button>
          <button type="button" className="button" disabled={!page.nextCursor} onClick={() => page.nextCursor && setCursors((c) => [...c, page.nextCursor])}>
            Older →
          </button>
        </div>
      )}
    </section>
  );
}
