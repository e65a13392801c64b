import type { Hit } from '../api/types';
import { plural } from '../format';
import { HitDetail } from './hit-detail';

/** The opened hit, in a row of its own under its summary row. */
export function HitDetailRow({ hit, colSpan }: { hit: Hit; colSpan: number }) {
  return (
    <tr className="hit-detail-row">
      <td colSpan={colSpan}>
        <HitDetail hit={hit} />
      </td>
    </tr>
  );
}

/** Newer/older buttons of a newest-first listing paged by cursors; nothing when there is one page. */
export function HitPager({
  pageIndex,
  nextCursor,
  setCursors,
}: {
  pageIndex: number;
  nextCursor: string | null;
  setCursors(change: (cursors: (string | null)[]) => (string | null)[]): void;
}) {
  if (pageIndex === 0 && !nextCursor) return null;
  return (
    <div className="card-foot pager">
      <button type="button" className="button" disabled={pageIndex === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
        ← Newer
      </button>
      <button type="button" className="button" disabled={!nextCursor} onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}>
        Older →
      </button>
    </div>
  );
}

/** On a page past the first: how many hits came in since, and the way back to them. */
export function MissedHits({ missed, onShowNewest }: { missed: number; onShowNewest(): void }) {
  if (missed === 0) return null;
  return (
    <div className="banner banner-info">
      <span>{plural(missed, 'new hit')} since this page was loaded.</span>
      <button type="button" className="button button-small" onClick={onShowNewest}>
        Show newest
      </button>
    </div>
  );
}
