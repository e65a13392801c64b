/**
 * An HTTP server on 127.0.0.1 that records what it is sent: the canary URL a GetUrl hits, or
 * the agent endpoints of a Tripline server. `answer` decides the response; returning a promise
 * holds the request until it settles.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Answer = (request: Recorded) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export class HttpRecorder {
  readonly requests: Recorded[] = [];
  answer: Answer = () => ({ status: 200, body: {} });
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const recorded: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        this.requests.push(recorded);
        void Promise.resolve(this.answer(recorded)).then(({ status, body: out }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(out === undefined ? '' : JSON.stringify(out));
        });
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this;
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  to(path: string): Recorded[] {
    return this.requests.filter((r) => r.url === path);
  }

  /** Stops listening and cuts open connections: a server that went down. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` returns something truthy; fails after `timeoutMs` saying what it waited for. */
export async function until<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
