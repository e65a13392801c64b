import { useState } from 'react';
import type { Channel, ChannelTestResult } from '../api/types';
import { useApi } from '../auth/session';
import { testChannel } from './channel-api';

/** Sends a made-up alert straight to the channel and says what came back. */
export function ChannelTestButton({ channel }: { channel: Channel }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ChannelTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(await testChannel(api, channel.id));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="inline-action" data-testid="channel-test">
      <button type="button" className="button button-small" disabled={busy} onClick={run}>
        {busy ? 'Sending…' : 'Send test'}
      </button>
      {result?.ok && (
        <span className="ok-text" role="status">
          Delivered{result.status !== null ? ` (${result.status})` : ''} in {result.durationMs} ms
        </span>
      )}
      {result && !result.ok && (
        <span className="error-text break" role="alert">
          Failed{result.status !== null ? ` (${result.status})` : ''}: {result.error}
        </span>
      )}
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
