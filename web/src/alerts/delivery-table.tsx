import type { Delivery } from '../api/types';
import { DataTable } from '../components/data-table';
import { Time } from '../components/time';
import { DeliveryStateBadge } from './delivery-state';
import { RetryButton } from './retry-button';

interface DeliveryTableProps {
  deliveries: Delivery[];
  /** Channel names by id, where known. */
  channelNames: ReadonlyMap<string, string>;
  onChanged(delivery: Delivery): void;
}

/** Where an alert went (or is still going), and why it failed if it did. */
export function DeliveryTable({ deliveries, channelNames, onChanged }: DeliveryTableProps) {
  return (
    <DataTable
      label="Deliveries"
      compact
      columns={[
        { label: 'Channel' },
        { label: 'Purpose' },
        { label: 'State' },
        { label: 'Attempts', numeric: true },
        { label: 'Last error' },
        { label: 'Next / done' },
        { label: 'Actions', hidden: true },
      ]}
    >
      {deliveries.map((delivery) => (
        <tr key={delivery.id} data-delivery-id={delivery.id}>
          <td>
            <span className="cell-main">
              <span>{channelNames.get(delivery.channelId) ?? delivery.channelKind}</span>
              <span className="muted">{delivery.channelKind}</span>
            </span>
          </td>
          <td>{delivery.purpose}</td>
          <td>
            <DeliveryStateBadge state={delivery.state} />
          </td>
          <td className="numeric">{delivery.attempts}</td>
          <td className="cell-error">
            {delivery.lastError ? (
              <span className="error-text break">
                {delivery.lastStatus !== null && <span className="mono">{delivery.lastStatus} </span>}
                {delivery.lastError}
              </span>
            ) : (
              <span className="muted">—</span>
            )}
          </td>
          <td className="nowrap">
            {delivery.state === 'delivered' ? (
              <Time iso={delivery.deliveredAt} />
            ) : delivery.nextAttemptAt ? (
              <span>
                next <Time iso={delivery.nextAttemptAt} />
              </span>
            ) : (
              <Time iso={delivery.updatedAt} />
            )}
          </td>
          <td>
            <RetryButton delivery={delivery} onRetried={onChanged} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
