import type { ApiKey } from '../api/types';
import { useApi } from '../auth/session';
import { StatusBadge } from '../components/badges';
import { ConfirmButton } from '../components/confirm-button';
import { DataTable } from '../components/data-table';
import { Time } from '../components/time';
import { revokeKey } from './key-api';

const ORIGINS: Record<ApiKey['origin'], string> = {
  env: 'from the environment',
  generated: 'generated at first start',
  api: '',
};

export function KeyTable({ keys, onRevoked }: { keys: ApiKey[]; onRevoked(key: ApiKey): void }) {
  const api = useApi();
  return (
    <DataTable
      label="API keys"
      columns={[{ label: 'Key' }, { label: 'Role' }, { label: 'Created' }, { label: 'Last used' }, { label: 'Status' }, { label: 'Actions', hidden: true }]}
    >
      {keys.map((key) => (
        <tr key={key.id} data-key-id={key.id}>
          <td>
            <div className="cell-main">
              <span className="row-title">{key.name}</span>
              <span className="mono muted">
                {key.prefix ? `${key.prefix}…` : 'no prefix stored'}
                {ORIGINS[key.origin] ? ` · ${ORIGINS[key.origin]}` : ''}
              </span>
            </div>
          </td>
          <td>{key.role}</td>
          <td className="nowrap">
            <Time iso={key.createdAt} />
          </td>
          <td className="nowrap">
            <Time iso={key.lastUsedAt} fallback="never" />
          </td>
          <td className="nowrap">
            {key.revokedAt ? (
              <span className="badge-row">
                <StatusBadge tone="neutral">revoked</StatusBadge>
                <Time iso={key.revokedAt} />
              </span>
            ) : (
              <StatusBadge tone="good">active</StatusBadge>
            )}
          </td>
          <td>
            {!key.revokedAt && <ConfirmButton label="Revoke" confirmLabel="Revoke key" onConfirm={async () => onRevoked(await revokeKey(api, key.id))} />}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
