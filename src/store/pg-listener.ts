import pg from 'pg';

const RECONNECT_MS = 2_000;

export interface PgChannelHandler {
  /** A NOTIFY on the channel, with its payload. */
  notify(payload: string): void;
  /**
   * The connection is listening again (first connect, or after a drop): notifications sent while
   * it was not were lost, so the handler catches up another way.
   */
  ready?(): void;
}

/**
 * One PostgreSQL connection per server that LISTENs on every channel asked for (new deliveries,
 * other replicas' hits). NOTIFY reaches it only after the sending transaction commits. If the
 * connection drops it reconnects by itself every few seconds, and tells each handler when it is
 * listening again.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private running = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly channels = new Map<string, Set<PgChannelHandler>>();

  constructor(
    private readonly url: string,
    /** Told when the connection is lost (the store may be down); listening resumes by itself. */
    private readonly onLost: (error: Error | undefined) => void = () => undefined,
  ) {}

  /** Listens on a channel (from the next connect when already running); the returned function stops. */
  listen(channel: string, handler: PgChannelHandler): () => void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
      const client = this.client;
      if (client)
        void client.query(`LISTEN ${channel}`).then(
          () => handler.ready?.(),
          () => undefined,
        );
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (!this.running) return;
      this.onLost(error);
      this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
    };
    client.on('notification', (message) => {
      for (const handler of this.channels.get(message.channel) ?? []) handler.notify(message.payload ?? '');
    });
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
      for (const handlers of this.channels.values()) for (const handler of handlers) handler.ready?.();
    } catch (error) {
      lost(error as Error);
    }
  }
}
