import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { HitView } from '../../core/model/hit.js';
import { hitView } from '../../tokens/registry.js';
import type { LiveEvent, LiveEventBus } from '../live-events.js';

export interface EventRoutesOptions {
  events: LiveEventBus;
  /** How often an idle stream gets a comment line, so proxies and browsers keep it open. */
  keepAliveMs?: number;
}

/** A stream that has this much unsent data belongs to a client that stopped reading: it is cut,
 * and the client reconnects and refetches instead of the server buffering without bound. */
const MAX_UNSENT_BYTES = 1024 * 1024;
const DEFAULT_KEEP_ALIVE_MS = 20_000;

/** An event as the stream sends it: a hit as the hits API sends it, with its kind's description. */
export type LiveEventFrame = { type: 'hit'; hit: HitView };

/** Described here, for open streams only: never on the trigger path. */
function frame(event: LiveEvent): string {
  const data: LiveEventFrame = { type: event.type, hit: hitView(event.hit) };
  // JSON.stringify escapes line breaks inside strings, so the data is always one SSE line.
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * GET /events: server-sent events for the dashboard. Clients read it with fetch() and send the
 * API key in the Authorization header like every other call (EventSource cannot set headers and
 * would put the key in the URL). The first frame is `ready`; after it, every committed hit.
 */
export async function eventRoutes(app: FastifyInstance, options: EventRoutesOptions): Promise<void> {
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const open = new Set<ServerResponse>();

  // Open streams never end by themselves, so closing the server ends them first.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get('/events', (_request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    open.add(response);

    const send = (text: string) => {
      if (response.writableLength > MAX_UNSENT_BYTES) {
        response.destroy();
        return;
      }
      response.write(text);
    };
    const unsubscribe = options.events.subscribe((event) => send(frame(event)));
    const keepAlive = setInterval(() => send(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();

    const stop = () => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(response);
    };
    // The response's close, not the request's: a request emits 'close' once its (empty) body has
    // been read, which may be at once, and would end the subscription of a stream still open.
    response.on('close', stop);
    send('event: ready\ndata: {}\n\n');
  });
}
