import { useState, type FormEvent } from 'react';

/** A form's submit: busy while the action runs, and the failure's message when it fails. */
export function useSubmit(action: () => Promise<void>): { busy: boolean; error: string | null; submit(event: FormEvent): Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
