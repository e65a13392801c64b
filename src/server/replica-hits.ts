import type { Logger } from 'pino';
import { HITS_NOTIFY_CHANNEL, parseHitAnnouncement } from '../store/hit-announcer.js';
import type { PgListener } from '../store/pg-listener.js';
import type { HitRepository } from '../store/repositories/hits.js';
import type { LiveEventBus } from './live-events.js';

/** Ids read per query: bounds the statement's size whatever piled up meanwhile. */
const READ_AT_ONCE = 500;
/** Ids kept waiting at most: past it the oldest are dropped, since live views are a convenience
 * (a reload shows every stored hit) and must not grow memory while the store is slow. */
const MAX_WAITING = 20_000;

/**
 * Shows other replicas' hits on this server's live streams: each announcement names committed
 * hits, which are read here and published. This server's own announcements are skipped, since
 * its recorder published those hits already. One read at a time, with the ids that arrive
 * meanwhile joining the next: announcements come a batch at a time from every replica, and a read
 * each would take the pool's connections from the hit writer.
 */
export function followReplicaHits(listener: PgListener, origin: string, hits: HitRepository, events: LiveEventBus, log: Logger): () => void {
  let waiting: string[] = [];
  let reading = false;
  const readNext = async () => {
    reading = true;
    try {
      while (waiting.length > 0) {
        const ids = waiting.slice(0, READ_AT_ONCE);
        waiting = waiting.slice(ids.length);
        try {
          for (const hit of await hits.getMany(ids)) events.publish({ type: 'hit', hit });
        } catch (error) {
          log.warn({ err: error }, "could not read another replica's hits for live dashboards; they show on the next refresh");
        }
      }
    } finally {
      reading = false;
    }
  };
  return listener.listen(HITS_NOTIFY_CHANNEL, {
    notify(payload) {
      const announcement = parseHitAnnouncement(payload);
      if (!announcement || announcement.origin === origin || events.listenerCount === 0) return;
      waiting.push(...announcement.ids);
      if (waiting.length > MAX_WAITING) waiting = waiting.slice(waiting.length - MAX_WAITING);
      if (!reading) void readNext();
    },
  });
}
