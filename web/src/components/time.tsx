import { absoluteTime, relativeTime } from '../format';
import { useNow } from '../hooks/use-now';

/** A moment shown as "3 min ago", with the exact time on hover and for screen readers. */
export function Time({ iso, fallback = '—' }: { iso: string | null | undefined; fallback?: string }) {
  // The shared clock re-renders every tick; the text uses the current time so that data loaded
  // between ticks is never described against a stale clock.
  useNow();
  const now = Date.now();
  if (!iso) return <span className="muted">{fallback}</span>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}
