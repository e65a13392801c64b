import type { Metric, Registry } from 'prom-client';

/** A sample as prom-client's registry prints it. */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One label set's buckets: observing is a bucket search and three additions. */
export class DurationSeries {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(seconds: number): void {
    this.sum += seconds;
    this.count += 1;
    for (let i = 0; i < this.bounds.length; i++) {
      if (seconds <= this.bounds[i]!) {
        this.counts[i]! += 1;
        return;
      }
    }
  }

  /** Prometheus histogram samples: cumulative buckets, +Inf, sum and count. */
  samples(name: string): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i]!;
      out.push({ metricName: `${name}_bucket`, labels: { le: this.bounds[i]!, ...this.labels }, value: cumulative });
    }
    out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...this.labels }, value: this.count });
    out.push({ metricName: `${name}_sum`, labels: this.labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels: this.labels, value: this.count });
    return out;
  }
}

/**
 * The HTTP request-duration histogram, in Prometheus's histogram format, registered like any
 * prom-client metric. Finding a label set's series is one Map lookup and observing it a bucket
 * search: prom-client's own Histogram validates and hashes the label set on every observation,
 * which on the trigger path cost more than half a microsecond a request.
 */
export class RequestDurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly byLabels = new Map<string, DurationSeries>();
  private last: { route: string; method: string; status: number; series: DurationSeries } | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series for one route, method and status (created on first use, kept for scrapes). */
  series(route: string, method: string, status: number): DurationSeries {
    // Most requests repeat the last label set (a flood of GETs on one trigger): skip the key.
    const last = this.last;
    if (last && last.route === route && last.method === method && last.status === status) return last.series;
    const key = `${route} ${method} ${status}`;
    let found = this.byLabels.get(key);
    if (!found) {
      found = new DurationSeries({ route, method, status_code: String(status) }, this.bounds);
      this.byLabels.set(key, found);
    }
    this.last = { route, method, status, series: found };
    return found;
  }

  /** What the registry reads at scrape time. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values = [...this.byLabels.values()].flatMap((s) => s.samples(this.name));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.byLabels.clear();
    this.last = undefined;
  }
}
