import type { Hit } from './repositories/hits.js';

/** PostgreSQL channel on which each committed batch names its hits, for the other replicas' dashboards. */
export const HITS_NOTIFY_CHANNEL = 'tripline_hits';

/** PostgreSQL refuses payloads of 8000 bytes or more; ids are ASCII, so characters are bytes. */
const MAX_PAYLOAD = 7_000;

export interface HitAnnouncement {
  /** The server that wrote the hits: it has shown them already. */
  origin: string;
  ids: string[];
}

/**
 * The NOTIFY payloads that name a batch's stored hits on HITS_NOTIFY_CHANNEL. Sent from inside the
 * batch's transaction, so they go out only if the hits commit, and only after they do: a replica
 * that reads them on the notification finds them. Only ids travel (a hit's detail may exceed a
 * payload); a large batch needs several payloads.
 */
export function announcementPayloads(origin: string, hits: Hit[]): string[] {
  if (hits.length === 0) return [];
  const payloads: string[] = [];
  let ids: string[] = [];
  let length = 0;
  for (const hit of hits) {
    // Quotes and commas of the JSON array, plus room for the origin.
    if (ids.length > 0 && length + hit.id.length + 3 + origin.length + 20 > MAX_PAYLOAD) {
      payloads.push(JSON.stringify({ origin, ids }));
      ids = [];
      length = 0;
    }
    ids.push(hit.id);
    length += JSON.stringify(hit.id).length + 1;
  }
  payloads.push(JSON.stringify({ origin, ids }));
  return payloads;
}

/** The announcement in a payload, or undefined when it is not one. */
export function parseHitAnnouncement(payload: string): HitAnnouncement | undefined {
  try {
    const value = JSON.parse(payload) as Partial<HitAnnouncement>;
    if (typeof value.origin !== 'string' || !Array.isArray(value.ids) || !value.ids.every((id) => typeof id === 'string')) return undefined;
    return { origin: value.origin, ids: value.ids };
  } catch {
    return undefined;
  }
}
