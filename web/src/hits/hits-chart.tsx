import { useState } from 'react';
import type { Histogram } from '../api/types';
import { useApi } from '../auth/session';
import { ErrorBanner } from '../components/states';
import { plural } from '../format';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { useLiveGeneration, useLiveHits } from '../live/live-events';
import { hitHistogram } from '../tokens/token-api';
import { addHit, niceMax, recentBuckets, type BucketSize, type ChartBucket } from './histogram-buckets';

const RANGES = [
  { size: 'hour', count: 48, label: '48 hours' },
  { size: 'day', count: 30, label: '30 days' },
] as const satisfies readonly { size: BucketSize; count: number; label: string }[];

/** Hits per hour or per day for one token, drawn as plain SVG bars. */
export function HitsChart({ tokenId }: { tokenId: string }) {
  const api = useApi();
  const generation = useLiveGeneration();
  const [rangeIndex, setRangeIndex] = useState(0);
  const range = RANGES[rangeIndex]!;
  const histogram = useResource(() => hitHistogram(api, tokenId, range.size), [api, tokenId, range.size, generation]);
  const now = useNow();

  useLiveHits((hit) => {
    if (hit.tokenId !== tokenId) return;
    histogram.update((current): Histogram => ({ ...current, series: addHit(current.series, hit.at, current.bucket) }));
  });

  const buckets = histogram.data ? recentBuckets(histogram.data.series, range.size, range.count, new Date(Math.max(now, Date.now()))) : [];
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  return (
    <section className="card card-padded" aria-labelledby="chart-title">
      <div className="chart-head">
        <div>
          <h2 className="card-title" id="chart-title">
            Hits over time
          </h2>
          <p className="muted" data-testid="chart-total">
            {histogram.data ? `${plural(total, 'hit')} in the last ${range.label}` : ' '}
          </p>
        </div>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r, index) => (
            <button
              key={r.label}
              type="button"
              className={index === rangeIndex ? 'segment segment-on' : 'segment'}
              aria-pressed={index === rangeIndex}
              onClick={() => setRangeIndex(index)}
            >
              {r.label}
            </button>
          ))}
        </div>
      </div>
      {histogram.error && <ErrorBanner error={histogram.error} onRetry={histogram.reload} />}
      {histogram.data && <BarChart buckets={buckets} size={range.size} />}
    </section>
  );
}

const VIEW = { width: 760, height: 190, left: 34, right: 8, top: 10, bottom: 24 };
const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourTitle = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Axis labels at round places: every six local hours (the date at midnight), or every fifth day
 * counted back from today so that today is labelled. */
function axisLabel(bucket: ChartBucket, index: number, count: number, size: BucketSize): string | undefined {
  if (size === 'hour') {
    const hour = bucket.start.getHours();
    if (hour % 6 !== 0 || bucket.start.getMinutes() !== 0) return undefined;
    return hour === 0 ? dateLabel.format(bucket.start) : hourLabel.format(bucket.start);
  }
  return (count - 1 - index) % 5 === 0 ? dayLabel.format(bucket.start) : undefined;
}

export function BarChart({ buckets, size }: { buckets: ChartBucket[]; size: BucketSize }) {
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.count)));
  const plotWidth = VIEW.width - VIEW.left - VIEW.right;
  const plotHeight = VIEW.height - VIEW.top - VIEW.bottom;
  const slot = plotWidth / buckets.length;
  const barWidth = Math.max(2, slot * 0.72);
  const y = (count: number) => VIEW.top + plotHeight - (count / max) * plotHeight;
  const title = (b: ChartBucket) => `${size === 'hour' ? hourTitle.format(b.start) : `${dayLabel.format(b.start)} (UTC day)`}: ${plural(b.count, 'hit')}`;
  const total = buckets.reduce((sum, b) => sum + b.count, 0);

  return (
    <svg
      className="chart"
      viewBox={`0 0 ${VIEW.width} ${VIEW.height}`}
      role="img"
      aria-label={`Bar chart: ${plural(total, 'hit')} over ${buckets.length} ${size}s`}
    >
      {[0, max / 2, max].map((tick) => (
        <g key={tick}>
          <line className="chart-grid" x1={VIEW.left} x2={VIEW.width - VIEW.right} y1={y(tick)} y2={y(tick)} />
          <text className="chart-axis" x={VIEW.left - 6} y={y(tick) + 4} textAnchor="end">
            {Number.isInteger(tick) ? tick : ''}
          </text>
        </g>
      ))}
      {buckets.map((b, index) => {
        const x = VIEW.left + index * slot + (slot - barWidth) / 2;
        const label = axisLabel(b, index, buckets.length, size);
        return (
          <g key={b.key}>
            <rect className="chart-slot" x={VIEW.left + index * slot} y={VIEW.top} width={slot} height={plotHeight}>
              <title>{title(b)}</title>
            </rect>
            {b.count > 0 && (
              <rect className="chart-bar" x={x} y={y(b.count)} width={barWidth} height={VIEW.top + plotHeight - y(b.count)} rx={1.5}>
                <title>{title(b)}</title>
              </rect>
            )}
            {label && (
              <text className="chart-axis" x={x + barWidth / 2} y={VIEW.height - 6} textAnchor="middle">
                {label}
              </text>
            )}
          </g>
        );
      })}
      {total === 0 && (
        <text className="chart-empty" x={VIEW.left + plotWidth / 2} y={VIEW.top + plotHeight / 2} textAnchor="middle">
          No hits in this period
        </text>
      )}
    </svg>
  );
}
