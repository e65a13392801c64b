import type { Hit } from '../api/types';

/** One line that says what happened, as the hit's token kind put it (the server sends it with the hit). */
export function hitSummary(hit: Hit): string {
  return hit.summary;
}
