import type { Logger } from 'pino';
import { HITS_NOTIFY_CHANNEL, parseHitAnnouncement } from '../store/hit-announcer.js';
import type { PgListener } from '../store/pg-listener.js';
import type { HitRepository } from '../store/repositories/hits.js';
import type { LiveEventBus } from './live-events.js';

/**
 * Shows other replicas' hits on this server's live streams: each announcement names committed
 * hits, which are read here and published. This server's own announcements are skipped, since
 * its recorder published those hits already.
 */
export function followReplicaHits(listener: PgListener, origin: string, hits: HitRepository, events: LiveEventBus, log: Logger): () => void {
  return listener.listen(HITS_NOTIFY_CHANNEL, {
    notify(payload) {
      const announcement = parseHitAnnouncement(payload);
      if (!announcement || announcement.origin === origin || events.listenerCount === 0) return;
      hits.getMany(announcement.ids).then(
        (found) => {
          for (const hit of found) events.publish({ type: 'hit', hit });
        },
        (error: unknown) => log.warn({ err: error }, "could not read another replica's hits for live dashboards; they show on the next refresh"),
      );
    },
  });
}
