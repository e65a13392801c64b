import type { ReactNode } from 'react';
import type { Hit } from '../api/types';
import { Facts } from '../components/fields';
import { asText } from './detail-values';

/** Hits of kinds the dashboard has no special view for (DNS queries, credential use ...): every
 * top-level field, as text. */
export function OtherHitDetail({ hit }: { hit: Hit }) {
  const fields = Object.entries(hit.detail).filter(([, value]) => value !== undefined && value !== null);
  return (
    <Facts
      items={[
        ...(hit.userAgent ? [['User agent', <span className="mono break">{hit.userAgent}</span>] as [string, ReactNode]] : []),
        ...fields.map(([name, value]): [string, ReactNode] => [name, <span className="mono break">{asText(value)}</span>]),
      ]}
    />
  );
}
