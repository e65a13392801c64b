import { useState } from 'react';

interface ConfirmButtonProps {
  label: string;
  /** The second click's label, which says exactly what will happen. */
  confirmLabel: string;
  onConfirm(): Promise<void>;
}

/** A destructive action that takes two clicks, and shows why it failed if it did. */
export function ConfirmButton({ label, confirmLabel, onConfirm }: ConfirmButtonProps) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <button type="button" className="button button-small button-ghost" onClick={() => setConfirming(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline-action">
      <button
        type="button"
        className="button button-small button-danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await onConfirm();
          } catch (failure) {
            setError((failure as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-small button-ghost" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {error && <span className="error-text">{error}</span>}
    </span>
  );
}
