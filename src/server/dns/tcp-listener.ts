import { createServer, type Server, type Socket } from 'node:net';
import { normalizeAddress } from '../client-address.js';
import { ConnectionsPerSource } from '../connection-cap.js';
import { sourcePrefix } from '../source-prefix.js';
import type { DnsListenerEvents, DnsMessageHandler } from './listener.js';

/** Limits that keep idle or hostile TCP clients from holding the server's resources. */
export interface DnsTcpLimits {
  connections: number;
  /**
   * Connections one client network (an IPv4 /24, an IPv6 /56) may hold at once, so one client
   * cannot take every slot: with the defaults, filling them all takes sixteen networks.
   */
  connectionsPerSource: number;
  /** A connection with no complete message for this long is closed (RFC 7766 suggests seconds). */
  idleMs: number;
  /**
   * A connection is closed this long after it opened, however busy: a client trickling one query
   * at a time could otherwise keep a slot for ever. Resolvers reconnect.
   */
  lifetimeMs: number;
  /** Messages one connection may send before it is closed; resolvers reconnect. */
  messagesPerConnection: number;
}

export const DNS_TCP_LIMITS: Readonly<DnsTcpLimits> = {
  connections: 128,
  connectionsPerSource: 8,
  idleMs: 10_000,
  lifetimeMs: 30_000,
  messagesPerConnection: 1000,
};

/** One whole message plus one read's worth of the next: more means the client ignores flow control. */
const MAX_BUFFERED = 2 + 65_535 + 65_536;

export interface TcpListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Reads length-prefixed DNS messages (RFC 1035 4.2.2) and answers them one at a time, in order.
 * A connection holds at most one message's bytes (64 KiB) beyond what is being answered.
 */
function serveConnection(socket: Socket, source: string, handle: DnsMessageHandler, events: DnsListenerEvents, limits: DnsTcpLimits): void {
  let pending: Buffer = Buffer.alloc(0);
  let answered = 0;
  let busy = false;

  const next = async (): Promise<void> => {
    while (!busy && pending.length >= 2 && !socket.destroyed) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) return;
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      busy = true;
      // Stop reading while answering, so a client cannot queue unbounded work.
      socket.pause();
      try {
        const reply = await handle(Buffer.from(message), source, 'tcp');
        if (reply && !socket.destroyed) {
          const length = Buffer.alloc(2);
          length.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([length, reply]));
        }
      } catch (error) {
        events.failed(error);
      } finally {
        busy = false;
      }
      if (++answered >= limits.messagesPerConnection) {
        socket.end();
        return;
      }
      socket.resume();
    }
  };

  socket.setTimeout(limits.idleMs, () => {
    events.dropped('idle');
    socket.destroy();
  });
  const lifetime = setTimeout(() => {
    events.dropped('lifetime');
    socket.destroy();
  }, limits.lifetimeMs);
  socket.once('close', () => clearTimeout(lifetime));
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (pending.length > MAX_BUFFERED) {
      socket.destroy();
      return;
    }
    void next();
  });
  socket.on('error', () => socket.destroy());
}

export function listenTcp(
  host: string,
  port: number,
  handle: DnsMessageHandler,
  events: DnsListenerEvents,
  limits: DnsTcpLimits = DNS_TCP_LIMITS,
): Promise<TcpListener> {
  const sockets = new Set<Socket>();
  const perNetwork = new ConnectionsPerSource(limits.connectionsPerSource);
  const server: Server = createServer((socket) => {
    const source = normalizeAddress(socket.remoteAddress);
    const network = sourcePrefix(source);
    const networkFull = perNetwork.full(network);
    if (sockets.size >= limits.connections || networkFull) {
      events.dropped(networkFull ? 'too_many_from_source' : 'too_many_connections');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    perNetwork.hold(network, socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, source, handle, events, limits);
  });
  server.on('error', (error) => events.failed(error));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        async close() {
          const closed = new Promise<void>((done) => server.close(() => done()));
          for (const socket of sockets) socket.destroy();
          await closed;
        },
      });
    });
  });
}
