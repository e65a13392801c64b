import { createServer, type Server, type Socket } from 'node:net';
import type { ListenAddress } from '../listen-address.js';
import { normalizeAddress } from '../client-address.js';
import { ConnectionsPerSource } from '../connection-cap.js';

export interface TcpListenerLimits {
  /** Connections one source address may hold at once; more are closed as soon as they arrive. */
  connectionsPerSource: number;
  /** Connections in all. */
  connections: number;
  /** A connection is closed this long after it opened, whatever it is doing. */
  lifetimeMs: number;
}

export const LISTENER_LIMITS: Readonly<TcpListenerLimits> = { connectionsPerSource: 16, connections: 512, lifetimeMs: 60_000 };

export interface RunningTcpListener {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP listener for one credential protocol, with the caps every trigger-plane listener keeps:
 * per source, in all, and a lifetime, so slow or hostile clients cannot hold it.
 */
export async function startTcpListener(
  address: ListenAddress,
  limits: TcpListenerLimits,
  serve: (socket: Socket, source: string) => void,
  refused: () => void,
): Promise<RunningTcpListener> {
  const perSource = new ConnectionsPerSource(limits.connectionsPerSource);
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    const source = normalizeAddress(socket.remoteAddress);
    if (perSource.full(source) || sockets.size >= limits.connections) {
      refused();
      socket.destroy();
      return;
    }
    perSource.hold(source, socket);
    sockets.add(socket);
    const lifetime = setTimeout(() => socket.destroy(), limits.lifetimeMs).unref();
    socket.once('close', () => {
      clearTimeout(lifetime);
      sockets.delete(socket);
    });
    // A reset or a write after the peer left is the peer's business, not the server's.
    socket.on('error', () => socket.destroy());
    serve(socket, source);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
