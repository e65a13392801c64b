import { useState } from 'react';
import type { Token } from '../api/types';
import { useApi } from '../auth/session';
import { Switch } from '../components/switch';
import { setTokenEnabled } from './token-api';

/** Turns a token on or off; a disabled token records nothing and answers triggers as before. */
export function TokenEnabledSwitch({ token, onChanged }: { token: Token; onChanged(token: Token): void }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const change = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await setTokenEnabled(api, token.id, enabled));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="switch-with-label">
      <Switch checked={token.enabled} disabled={busy} onChange={change} label={`${token.enabled ? 'Disable' : 'Enable'} token “${token.memo}”`} />
      <span className={token.enabled ? 'switch-text' : 'switch-text muted'}>{token.enabled ? 'On' : 'Off'}</span>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
