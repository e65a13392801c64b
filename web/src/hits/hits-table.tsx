import { Fragment, useEffect, useState } from 'react';
import type { Hit, Page } from '../api/types';
import { useApi } from '../auth/session';
import { DataTable, ExpandToggleCell, TOGGLE_COLUMN } from '../components/data-table';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { Time } from '../components/time';
import { useResource } from '../hooks/use-resource';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { listHits } from '../tokens/token-api';
import { HitDetailRow, HitPager, MissedHits } from './hit-pages';
import { hitSummary } from './hit-summary';
import { muteText } from './source-facts';

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
      <MissedHits missed={missed} onShowNewest={toFirstPage} />
      {hits.error && <ErrorBanner error={hits.error} onRetry={hits.reload} />}
      {!page && !hits.error && <Loading what="Loading hits" />}
      {page && page.items.length === 0 && <EmptyState title="No hits yet">Nobody has touched this token. New hits appear here as they happen.</EmptyState>}
      {page && page.items.length > 0 && (
        <DataTable label="Hits" columns={[TOGGLE_COLUMN, { label: 'When' }, { label: 'Source' }, { label: 'What' }, { label: 'User agent' }]}>
          {page.items.map((hit) => {
            const expanded = open === hit.id;
            return (
              <Fragment key={hit.id}>
                <tr
                  className={`hit-row ${expanded ? 'hit-row-open' : ''} ${hit.mutedBy ? 'hit-row-muted' : ''}`}
                  data-hit-id={hit.id}
                  data-muted={hit.mutedBy ? 'true' : 'false'}
                  title={hit.mutedBy ? `Muted: ${muteText(hit.mutedBy)}` : undefined}
                  onClick={() => setOpen(expanded ? null : hit.id)}
                >
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
                {expanded && <HitDetailRow hit={hit} colSpan={5} />}
              </Fragment>
            );
          })}
        </DataTable>
      )}
      {page && <HitPager pageIndex={pageIndex} nextCursor={page.nextCursor} setCursors={setCursors} />}
    </section>
  );
}
