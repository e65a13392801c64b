import type { WalStatus } from '../store/sqlite-checkpointer.js';
import type { ServerMetrics } from './metrics.js';

/** The SQLite WAL's gauges, read from the store's checkpointer at scrape time. */
export function walMetrics(metrics: ServerMetrics, walStatus: () => WalStatus): void {
  metrics.gauge('tripline_sqlite_wal_bytes', 'Size of the SQLite -wal file (its high-water mark since it was last cut back).', [], (gauge) => {
    gauge.set(walStatus().fileBytes);
  });
  metrics.gauge('tripline_sqlite_checkpoint_lag_frames', 'WAL frames not yet copied into the database file at the last checkpoint.', [], (gauge) => {
    gauge.set(walStatus().lagFrames);
  });
  metrics.gauge(
    'tripline_sqlite_seconds_since_complete_checkpoint',
    'Seconds since a checkpoint last copied every WAL frame into the database file.',
    [],
    (gauge) => {
      gauge.set(walStatus().secondsSinceComplete);
    },
  );
  metrics.gauge(
    'tripline_sqlite_checkpoint_thread_restarts',
    'Checkpoint threads that died or hung and were replaced since the server started.',
    [],
    (gauge) => {
      gauge.set(walStatus().workerRestarts);
    },
  );
}
