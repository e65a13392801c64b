/**
 * An HTTP server on 127.0.0.1 that records what it is sent and answers as the test says: a
 * webhook receiver for alert channels, the canary URL of an agent's GetUrl, or the agent
 * endpoints of a Tripline server.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Received {
  at: number;
  method: string;
  /** The request target: path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** The body as text. */
  text: string;
  /** The body parsed as JSON, or its text when it is not JSON. */
  body: any;
}

/** An answer (an object body is sent as JSON), a dropped connection, or no answer ever. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string | object; delayMs?: number } | 'drop' | 'hang';

/** What the receiver does with a request; a promise holds the request until it settles. */
export type Behaviour = (request: Received) => Reply | Promise<Reply>;

export class HttpReceiver {
  /** Requests answered with a 2xx. */
  readonly received: Received[] = [];
  /** Every request, whatever its answer. */
  readonly attempts: Received[] = [];
  behaviour: Behaviour = () => ({ status: 200, body: {} });
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.answer(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks), res));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private async answer(method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer, res: ServerResponse): Promise<void> {
    const text = raw.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const request: Received = { at: Date.now(), method, path, headers, raw, text, body };
    this.attempts.push(request);
    const outcome = await this.behaviour(request);
    if (outcome === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (outcome === 'hang') return;
    const respond = () => {
      if (outcome.status >= 200 && outcome.status < 300) this.received.push(request);
      const json = outcome.body !== undefined && typeof outcome.body !== 'string';
      res.writeHead(outcome.status, { ...(json ? { 'content-type': 'application/json' } : {}), ...outcome.headers });
      res.end(json ? JSON.stringify(outcome.body) : (outcome.body ?? ''));
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

  /** Every request to exactly this path. */
  to(path: string): Received[] {
    return this.attempts.filter((r) => r.path === path);
  }

  /** Stops listening and cuts every open connection (a receiver that went down). */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
