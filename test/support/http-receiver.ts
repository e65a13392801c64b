import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Received {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: any;
}

/** What the receiver does with a request: answer with a status, drop the connection, or never answer. */
export type Behaviour = (request: Received) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'drop' | 'hang';

/**
 * A webhook receiver on 127.0.0.1 (node:http): records every request it answered with a 2xx in
 * `received`, and every request at all in `attempts`.
 */
export class TestReceiver {
  readonly received: Received[] = [];
  readonly attempts: Received[] = [];
  behaviour: Behaviour = () => ({ status: 200 });
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks), res));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private answer(method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer, res: ServerResponse): void {
    let body: unknown = undefined;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = raw.toString('utf8');
    }
    const request: Received = { at: Date.now(), method, path, headers, raw, body };
    this.attempts.push(request);
    const outcome = this.behaviour(request);
    if (outcome === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (outcome === 'hang') return;
    const respond = () => {
      if (outcome.status >= 200 && outcome.status < 300) this.received.push(request);
      res.writeHead(outcome.status, outcome.headers ?? {});
      res.end(outcome.body ?? '');
    };
    if (outcome.delayMs) setTimeout(respond, outcome.delayMs);
    else respond();
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Stops listening and cuts every open connection (a receiver that went down). */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
