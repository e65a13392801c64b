import { Fragment, useState } from 'react';
import type { Alert, Delivery } from '../api/types';
import { KindBadge, StatusBadge } from '../components/badges';
import { DataTable, ExpandToggleCell, TOGGLE_COLUMN } from '../components/data-table';
import { Time } from '../components/time';
import { plural } from '../format';
import { Link, paths } from '../router';
import { DeliveryStateBadge } from './delivery-state';
import { DeliveryTable } from './delivery-table';

interface AlertListProps {
  alerts: Alert[];
  channelNames: ReadonlyMap<string, string>;
  onDeliveryChanged(delivery: Delivery): void;
}

/** Alerts newest first; each opens to show its deliveries. */
export function AlertList({ alerts, channelNames, onDeliveryChanged }: AlertListProps) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <DataTable
      label="Alerts"
      columns={[
        TOGGLE_COLUMN,
        { label: 'Token' },
        { label: 'Source' },
        { label: 'Hits', numeric: true },
        { label: 'First hit' },
        { label: 'Window' },
        { label: 'Deliveries' },
      ]}
    >
      {alerts.map((alert) => {
        const expanded = open === alert.id;
        return (
          <Fragment key={alert.id}>
            <tr data-alert-id={alert.id} className={expanded ? 'hit-row-open' : undefined}>
              <ExpandToggleCell expanded={expanded} onToggle={() => setOpen(expanded ? null : alert.id)} what="deliveries" />
              <td>
                <div className="cell-main">
                  <Link to={paths.token(alert.tokenId)} className="row-title">
                    {alert.tokenMemo}
                  </Link>
                  <KindBadge kind={alert.tokenKind} />
                </div>
              </td>
              <td>
                <span className="cell-main">
                  {alert.foldedKeys > 0 && <span data-testid="alert-more-sources">{plural(alert.foldedKeys, 'more source')}, first:</span>}
                  <span className="mono">{alert.source}</span>
                  {alert.userAgent && (
                    <span className="mono muted cell-clip" title={alert.userAgent}>
                      {alert.userAgent}
                    </span>
                  )}
                </span>
              </td>
              <td className="numeric">{alert.hitCount}</td>
              <td className="nowrap">
                <Time iso={alert.firstHitAt} />
              </td>
              <td>{alert.closed ? <StatusBadge tone="neutral">closed</StatusBadge> : <StatusBadge tone="warn">open</StatusBadge>}</td>
              <td>
                <span className="badge-row">
                  {alert.deliveries.length === 0 ? (
                    <span className="muted">no channels</span>
                  ) : (
                    alert.deliveries.map((d) => <DeliveryStateBadge key={d.id} state={d.state} />)
                  )}
                </span>
              </td>
            </tr>
            {expanded && (
              <tr className="hit-detail-row">
                <td colSpan={7}>
                  {alert.deliveries.length === 0 ? (
                    <p className="muted">This alert went nowhere: no channel applied to the token. Add a default channel under Channels.</p>
                  ) : (
                    <DeliveryTable deliveries={alert.deliveries} channelNames={channelNames} onChanged={onDeliveryChanged} />
                  )}
                </td>
              </tr>
            )}
          </Fragment>
        );
      })}
    </DataTable>
  );
}
