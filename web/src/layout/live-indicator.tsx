import { useLiveStatus } from '../live/live-events';

const LABELS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
} as const;

/** Whether new hits are arriving by themselves right now. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span
      className={`live live-${status}`}
      role="status"
      data-live-status={status}
      title={status === 'live' ? 'New hits appear as they happen' : 'Waiting for the event stream'}
    >
      <span className="live-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
