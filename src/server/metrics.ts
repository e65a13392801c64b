import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestDurationHistogram } from './request-duration-histogram.js';

/**
 * The server's Prometheus metrics. One registry per server instance, so several servers in one
 * process (tests) never share or double-register counters.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  /** Hits counted since the last scrape, by kind: a Map increment per hit, the counter's
   * label hashing once per kind per scrape. */
  private readonly uncountedHits = new Map<string, number>();
  readonly requestDuration = new RequestDurationHistogram(
    'tripline_http_request_duration_seconds',
    'HTTP request durations, by route, method and status code.',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    this.registry,
  );
  readonly storeErrors = new Counter({
    name: 'tripline_store_errors_total',
    help: 'Store operations that failed, by operation.',
    labelNames: ['operation'],
    registers: [this.registry],
  });

  /** Muted hits are in tripline_hits_total too: this says how many of them a noise rule muted. */
  readonly hitsMuted = new Counter({
    name: 'tripline_hits_muted_total',
    help: 'Hits a noise rule muted (stored and counted, no alert), by the kind of rule.',
    labelNames: ['rule_kind'],
    registers: [this.registry],
  });

  constructor() {
    const uncounted = this.uncountedHits;
    new Counter({
      name: 'tripline_hits_total',
      help: 'Token hits recorded, by token kind.',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        for (const [kind, count] of uncounted) this.inc({ kind }, count);
        uncounted.clear();
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'tripline_' });
  }

  countHit(kind: string): void {
    this.uncountedHits.set(kind, (this.uncountedHits.get(kind) ?? 0) + 1);
  }

  /** Adds a gauge whose value is read at scrape time (e.g. an outbox backlog). */
  gauge(name: string, help: string, labelNames: string[], collect: (gauge: Gauge) => Promise<void> | void): Gauge {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  counter(name: string, help: string, labelNames: string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
