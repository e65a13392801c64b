import { useState } from 'react';
import type { Delivery } from '../api/types';
import { useApi } from '../auth/session';
import { retryDelivery } from './alert-api';

/** Puts a delivery that was given up back in the queue, due now. */
export function RetryButton({ delivery, onRetried }: { delivery: Delivery; onRetried(delivery: Delivery): void }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (delivery.state !== 'dead') return null;
  return (
    <span className="inline-action">
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            onRetried(await retryDelivery(api, delivery.id));
          } catch (failure) {
            setError((failure as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Retrying…' : 'Retry'}
      </button>
      {error && <span className="field-error">{error}</span>}
    </span>
  );
}
