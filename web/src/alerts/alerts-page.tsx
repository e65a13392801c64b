import { useState } from 'react';
import type { Alert, Delivery, DeliveryState, Page } from '../api/types';
import { useApi } from '../auth/session';
import { EmptyState, ErrorBanner, Loading } from '../components/states';
import { useChannelNames } from '../channels/use-channel-names';
import { useInterval } from '../hooks/use-interval';
import { useResource } from '../hooks/use-resource';
import { PageHeader } from '../layout/app-shell';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { listAlerts, listDeliveries } from './alert-api';
import { AlertList } from './alert-list';
import { DeliveryTable } from './delivery-table';

// Deliveries change state in the dispatcher with no event of their own; the page refreshes on
// every hit (which may open an alert), often while a delivery shown is still on its way, and
// seldom otherwise.
const REFRESH_MS = 10_000;
const REFRESH_IN_FLIGHT_MS = 1_500;

function inFlight(deliveries: Delivery[]): boolean {
  return deliveries.some((delivery) => delivery.state === 'pending' || delivery.state === 'sending');
}
const STATES: (DeliveryState | '')[] = ['', 'pending', 'sending', 'delivered', 'dead'];

export function AlertsPage() {
  const [view, setView] = useState<'alerts' | 'deliveries'>('alerts');
  return (
    <>
      <PageHeader
        title="Alerts"
        subtitle="What the hits turned into, and whether each channel got it."
        actions={
          <div className="segmented" role="group" aria-label="Show">
            <button
              type="button"
              className={view === 'alerts' ? 'segment segment-on' : 'segment'}
              aria-pressed={view === 'alerts'}
              onClick={() => setView('alerts')}
            >
              Alerts
            </button>
            <button
              type="button"
              className={view === 'deliveries' ? 'segment segment-on' : 'segment'}
              aria-pressed={view === 'deliveries'}
              onClick={() => setView('deliveries')}
            >
              Deliveries
            </button>
          </div>
        }
      />
      {view === 'alerts' ? <AlertsView /> : <DeliveriesView />}
    </>
  );
}

function usePagedCursor() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    index: cursors.length - 1,
    cursor: cursors[cursors.length - 1] ?? null,
    older: (next: string) => setCursors((c) => [...c, next]),
    newer: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    reset: () => setCursors([null]),
  };
}

function Pager<T>({ page, paging }: { page: Page<T>; paging: ReturnType<typeof usePagedCursor> }) {
  if (paging.index === 0 && !page.nextCursor) return null;
  return (
    <div className="card-foot pager">
      <button type="button" className="button" disabled={paging.index === 0} onClick={paging.newer}>
        ← Newer
      </button>
      <button type="button" className="button" disabled={!page.nextCursor} onClick={() => page.nextCursor && paging.older(page.nextCursor)}>
        Older →
      </button>
    </div>
  );
}

function AlertsView() {
  const api = useApi();
  const generation = useLiveGeneration();
  const paging = usePagedCursor();
  const alerts = useResource(() => listAlerts(api, paging.cursor), [api, paging.cursor, generation]);
  const channelNames = useChannelNames();
  useInterval(alerts.reload, alerts.data && inFlight(alerts.data.items.flatMap((alert) => alert.deliveries)) ? REFRESH_IN_FLIGHT_MS : REFRESH_MS);
  useLiveHits(() => {
    if (paging.index === 0) alerts.reload();
  });

  const replaceDelivery = (changed: Delivery) =>
    alerts.update(
      (page): Page<Alert> => ({
        ...page,
        items: page.items.map((alert) => ({ ...alert, deliveries: alert.deliveries.map((d) => (d.id === changed.id ? changed : d)) })),
      }),
    );

  const page = alerts.data;
  return (
    <section className="card">
      {alerts.error && <ErrorBanner error={alerts.error} onRetry={alerts.reload} />}
      {!page && !alerts.error && <Loading what="Loading alerts" />}
      {page && page.items.length === 0 && <EmptyState title="No alerts yet">The first hit on any token opens an alert here.</EmptyState>}
      {page && page.items.length > 0 && <AlertList alerts={page.items} channelNames={channelNames} onDeliveryChanged={replaceDelivery} />}
      {page && <Pager page={page} paging={paging} />}
    </section>
  );
}

function DeliveriesView() {
  const api = useApi();
  const generation = useLiveGeneration();
  const [state, setState] = useState<DeliveryState | ''>('');
  const paging = usePagedCursor();
  const deliveries = useResource(() => listDeliveries(api, state, paging.cursor), [api, state, paging.cursor, generation]);
  const channelNames = useChannelNames();
  useInterval(deliveries.reload, deliveries.data && inFlight(deliveries.data.items) ? REFRESH_IN_FLIGHT_MS : REFRESH_MS);

  const replace = (changed: Delivery) =>
    deliveries.update((page): Page<Delivery> => ({ ...page, items: page.items.map((d) => (d.id === changed.id ? changed : d)) }));

  const page = deliveries.data;
  return (
    <section className="card">
      <div className="card-toolbar">
        <select
          className="input"
          aria-label="Filter by state"
          value={state}
          onChange={(event) => {
            setState(event.target.value as DeliveryState | '');
            paging.reset();
          }}
        >
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s === '' ? 'All states' : s === 'dead' ? 'gave up' : s}
            </option>
          ))}
        </select>
      </div>
      {deliveries.error && <ErrorBanner error={deliveries.error} onRetry={deliveries.reload} />}
      {!page && !deliveries.error && <Loading what="Loading deliveries" />}
      {page && page.items.length === 0 && <EmptyState title="No deliveries" />}
      {page && page.items.length > 0 && <DeliveryTable deliveries={page.items} channelNames={channelNames} onChanged={replace} />}
      {page && <Pager page={page} paging={paging} />}
    </section>
  );
}
