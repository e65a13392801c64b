import type { Hit } from '../store/repositories/hits.js';

/** What open dashboards are told as it happens. */
export type LiveEvent = { type: 'hit'; hit: Hit };

export type LiveListener = (event: LiveEvent) => void;

/**
 * In-process fan-out of committed changes to open dashboard streams. Publishers call publish()
 * only after their transaction has committed, so a listener never shows something that a reload
 * would not show. Each server process has its own bus; with several replicas on one PostgreSQL,
 * other replicas' hits reach it through NOTIFY (replica-hits.ts).
 */
export class LiveEventBus {
  private readonly listeners = new Set<LiveListener>();

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Hands the event to every listener now. A listener that throws is dropped, so one broken
   * stream can neither stop the others nor fail the trigger that published. */
  publish(event: LiveEvent): void {
    // Every hit is published; most servers have no dashboard open, and copying an empty set costs.
    if (this.listeners.size === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
