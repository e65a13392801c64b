import type { Server, Socket } from 'node:net';
import { normalizeAddress } from './client-address.js';

/**
 * Open connections per source key (an address, or a client network), for listeners that cap how
 * many one source may hold at once. One home for the counting, so the HTTP trigger listener and
 * DNS over TCP refuse by the same rule.
 */
export class ConnectionsPerSource {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Whether the key already holds the most it may. */
  full(key: string): boolean {
    return (this.open.get(key) ?? 0) >= this.max;
  }

  /** Counts the socket against the key until it closes. */
  hold(key: string, socket: Socket): void {
    this.open.set(key, (this.open.get(key) ?? 0) + 1);
    socket.once('close', () => {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    });
  }
}

/**
 * Caps the connections one TCP peer holds open on a listener at once; a connection past the cap
 * is closed as soon as it is accepted. The peer is the socket's address, not a forwarded one: a
 * proxy in front counts as one source, so size the cap for it.
 */
export function capConnectionsPerSource(server: Server, max: number, refused: (source: string) => void): void {
  const open = new ConnectionsPerSource(max);
  server.on('connection', (socket: Socket) => {
    const source = normalizeAddress(socket.remoteAddress);
    if (open.full(source)) {
      refused(source);
      socket.destroy();
      return;
    }
    open.hold(source, socket);
  });
}
