import { Fragment, useEffect, useState } from 'react';
import type { Hit, Page } from '../api/types';
import { useApi } from '../auth/session';
import { KindBadge, StatusBadge } from '../components/badges';
import { DataTable, ExpandToggleCell, TOGGLE_COLUMN } from '../components/data-table';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { Time } from '../components/time';
import { plural } from '../format';
import { useDebounced } from '../hooks/use-debounced';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { HitDetailRow, HitPager, MissedHits } from '../hits/hit-pages';
import { BarChart } from '../hits/hits-chart';
import { addHit, recentBuckets } from '../hits/histogram-buckets';
import { hitSummary } from '../hits/hit-summary';
import { muteText, whereText } from '../hits/source-facts';
import { PageHeader } from '../layout/app-shell';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { Link, paths } from '../router';
import { useTokenKinds } from '../tokens/use-token-kinds';
import { dailyTotals, listActivity, matchesFilters, NO_FILTERS, type ActivityFilters } from './activity-api';

const CHART_DAYS = 30;

/** Every token's hits, newest first and live, with filters and a 30-day chart: the analyst's view. */
export function ActivityPage() {
  const api = useApi();
  const generation = useLiveGeneration();
  const [typed, setTyped] = useState<ActivityFilters>(NO_FILTERS);
  const filters = useDebounced(typed);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex] ?? null;
  const [refetches, setRefetches] = useState(0);
  const hits = useResource(() => listActivity(api, filters, cursor), [api, filters, cursor, generation, refetches]);
  const chart = useResource(() => dailyTotals(api, CHART_DAYS), [api, generation]);
  const [open, setOpen] = useState<string | null>(null);
  const [missed, setMissed] = useState(0);
  const now = useNow();

  // New filters start from the newest hit.
  useEffect(() => setCursors([null]), [filters]);
  useEffect(() => {
    if (pageIndex === 0) setMissed(0);
  }, [pageIndex]);

  useLiveHits((hit) => {
    chart.update((current) => ({ ...current, series: addHit(current.series, hit.at, 'day') }));
    const matches = matchesFilters(hit, filters);
    if (matches === false) return;
    if (pageIndex > 0) {
      setMissed((n) => n + 1);
      return;
    }
    if (matches === undefined) {
      setRefetches((n) => n + 1);
      return;
    }
    hits.update((page): Page<Hit> => (page.items.some((h) => h.id === hit.id) ? page : { ...page, items: [hit, ...page.items] }));
  });

  const set = (field: keyof ActivityFilters) => (value: string) => setTyped((current) => ({ ...current, [field]: value }));
  const buckets = chart.data ? recentBuckets(chart.data.series, 'day', CHART_DAYS, new Date(Math.max(now, Date.now()))) : [];
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const page = hits.data;
  return (
    <>
      <PageHeader title="Activity" subtitle="Every hit on every token, newest first, as it happens. Muted hits are stored and counted but raised no alert." />
      <section className="card card-padded" aria-labelledby="activity-chart-title">
        <div className="chart-head">
          <div>
            <h2 className="card-title" id="activity-chart-title">
              Hits over time
            </h2>
            <p className="muted" data-testid="activity-chart-total">
              {chart.data ? `${plural(total, 'hit')} in the last ${CHART_DAYS} days, muted ones included` : ' '}
            </p>
          </div>
        </div>
        {chart.error && <ErrorBanner error={chart.error} onRetry={chart.reload} />}
        {chart.data && <BarChart buckets={buckets} size="day" />}
      </section>
      <ActivityFilterBar filters={typed} set={set} />
      <section className="card" aria-labelledby="activity-title">
        <div className="card-toolbar">
          <h2 className="card-title" id="activity-title">
            Hits
          </h2>
          <span className="muted">Page {pageIndex + 1}</span>
        </div>
        <MissedHits missed={missed} onShowNewest={() => setCursors([null])} />
        {hits.error && <ErrorBanner error={hits.error} onRetry={hits.reload} />}
        {!page && !hits.error && <Loading what="Loading hits" />}
        {page && page.items.length === 0 && <EmptyState title="No hits">No hit matches. New hits appear here as they happen.</EmptyState>}
        {page && page.items.length > 0 && (
          <DataTable
            label="Activity"
            columns={[TOGGLE_COLUMN, { label: 'When' }, { label: 'Token' }, { label: 'Source' }, { label: 'Where' }, { label: 'What' }, { label: 'Alert' }]}
          >
            {page.items.map((hit) => {
              const expanded = open === hit.id;
              const toggle = () => setOpen(expanded ? null : hit.id);
              return (
                <Fragment key={hit.id}>
                  <tr
                    className={`hit-row ${expanded ? 'hit-row-open' : ''} ${hit.mutedBy ? 'hit-row-muted' : ''}`}
                    data-hit-id={hit.id}
                    data-token-id={hit.tokenId}
                    data-muted={hit.mutedBy ? 'true' : 'false'}
                    onClick={toggle}
                  >
                    <ExpandToggleCell expanded={expanded} onToggle={toggle} what="hit details" />
                    <td className="nowrap">
                      <Time iso={hit.at} />
                    </td>
                    <td className="nowrap">
                      <KindBadge kind={hit.kind} />{' '}
                      <Link to={paths.token(hit.tokenId)} className="mono">
                        {hit.tokenId.slice(0, 10)}
                      </Link>
                    </td>
                    <td className="mono nowrap">{hit.source}</td>
                    <td className="cell-clip" data-testid="activity-where">
                      {whereText(hit.enrichment) || <span className="muted">—</span>}
                    </td>
                    <td className="mono cell-clip" title={hitSummary(hit)}>
                      {hitSummary(hit)}
                    </td>
                    <td className="cell-clip" data-testid="activity-alert" title={hit.mutedBy ? muteText(hit.mutedBy) : undefined}>
                      {hit.mutedBy ? <StatusBadge tone="neutral">Muted</StatusBadge> : <StatusBadge tone="bad">Alerted</StatusBadge>}
                    </td>
                  </tr>
                  {expanded && <HitDetailRow hit={hit} colSpan={7} />}
                </Fragment>
              );
            })}
          </DataTable>
        )}
        {page && <HitPager pageIndex={pageIndex} nextCursor={page.nextCursor} setCursors={setCursors} />}
      </section>
    </>
  );
}

function ActivityFilterBar({ filters, set }: { filters: ActivityFilters; set: (field: keyof ActivityFilters) => (value: string) => void }) {
  const kinds = useTokenKinds();
  const text = (field: 'token' | 'tag' | 'source' | 'country', label: string, placeholder: string) => (
    <input
      type="search"
      className="input"
      aria-label={label}
      placeholder={placeholder}
      value={filters[field]}
      onChange={(event) => set(field)(event.target.value)}
    />
  );
  return (
    <div className="filters" role="search">
      <select className="input" aria-label="Filter by kind" value={filters.kind} onChange={(event) => set('kind')(event.target.value)}>
        <option value="">All kinds</option>
        {(kinds.data ?? []).map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.kind}
          </option>
        ))}
      </select>
      {text('token', 'Filter by token id', 'Token id')}
      {text('tag', 'Filter by tag', 'Tag')}
      {text('source', 'Filter by source', 'Source address')}
      {text('country', 'Filter by country', 'Country (NZ)')}
      <select className="input" aria-label="Filter by muted" value={filters.muted} onChange={(event) => set('muted')(event.target.value)}>
        <option value="">Muted or not</option>
        <option value="false">Alerting only</option>
        <option value="true">Muted only</option>
      </select>
    </div>
  );
}
