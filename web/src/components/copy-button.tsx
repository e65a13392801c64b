import { useEffect, useState } from 'react';
import { copyText } from './clipboard';

/** Copies the value; says so for a moment afterwards. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1800);
    return () => clearTimeout(timer);
  }, [state]);

  return (
    <button type="button" className="button button-small" onClick={async () => setState((await copyText(value)) ? 'copied' : 'failed')}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}
