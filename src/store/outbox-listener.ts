import pg from 'pg';
import type { Logger } from 'pino';

/** PostgreSQL channel a committed transaction with due deliveries notifies, waking every dispatcher. */
export const OUTBOX_NOTIFY_CHANNEL = 'tripline_outbox';

const RECONNECT_MS = 2_000;

/**
 * Holds a PostgreSQL connection that LISTENs for the NOTIFY every transaction with due deliveries
 * sends at commit, so each server's dispatcher wakes at once for rows any server wrote. If the
 * connection drops it reconnects; meanwhile the dispatcher's poll still finds the rows.
 */
export class OutboxListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onNotify: () => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err: error }, 'outbox listener lost its PostgreSQL connection; reconnecting (polling meanwhile)');
      this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
    };
    client.on('notification', () => this.onNotify());
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
      // Rows may have been committed while no one was listening.
      this.onNotify();
    } catch (error) {
      lost(error as Error);
    }
  }
}
